using System.Text.RegularExpressions;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// Validates a registration's provenance (<c>artifact</c>, <c>buildId</c>, <c>pipelineRunId</c>, <c>changeUrl</c>,
/// <c>approvedBy</c>): each optional, each checked when given.
/// </summary>
public static partial class ProvenanceValidation
{
    public const int MaxArtifactLength = 1000;
    public const int MaxUrlLength = 2000;

    /// <summary>
    /// Throws <see cref="InputException"/> on the first bad field. An artifact must be immutable: a digest reference
    /// (<c>name@sha256:&lt;64 hex&gt;</c> or <c>sha512:&lt;128 hex&gt;</c>, OCI image-spec "Digests"), or a tag other than
    /// <c>latest</c> (a tag moved by convention); no whitespace.
    /// </summary>
    public static void Validate(RegisterDeploymentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Artifact is { } artifact)
        {
            DeploymentValidation.Text("artifact", artifact, MaxArtifactLength);
            Artifact(artifact);
        }

        if (input.BuildId is not null)
        {
            DeploymentValidation.Text("buildId", input.BuildId, InputLimits.MaxIdLength);
        }

        if (input.PipelineRunId is not null)
        {
            DeploymentValidation.Text("pipelineRunId", input.PipelineRunId, InputLimits.MaxIdLength);
        }

        if (input.ApprovedBy is not null)
        {
            DeploymentValidation.Text("approvedBy", input.ApprovedBy);
        }

        if (input.ChangeUrl is { } url)
        {
            DeploymentValidation.Text("changeUrl", url, MaxUrlLength);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new InputException("changeUrl", $"must be an absolute http(s) URL, got '{url}'");
            }
        }
    }

    private static void Artifact(string artifact)
    {
        if (artifact.Any(char.IsWhiteSpace))
        {
            throw new InputException("artifact", $"must not contain whitespace, got '{artifact}'");
        }

        var at = artifact.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!Digest().IsMatch(artifact.AsSpan(at + 1)))
            {
                throw new InputException("artifact",
                    $"a digest reference is '<name>@sha256:<64 lowercase hex>' (or sha512:<128 hex>), got '{artifact}'");
            }

            return;
        }

        var slash = artifact.LastIndexOf('/');
        var colon = artifact.LastIndexOf(':');
        if (colon > slash && artifact[(colon + 1)..] == "latest")
        {
            throw new InputException("artifact",
                $"'{artifact}' uses the tag 'latest', which moves; give a digest (name@sha256:…) or a tag that is never reused");
        }
    }

    [GeneratedRegex("^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();
}
