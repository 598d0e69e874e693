using System.Security.Cryptography;
using System.Text.Json;
using Verification.Api.Contracts;

namespace Verification.Api.Http;

/// <summary>
/// The verdict as CD tools read it (API.md v1.1, "CD integrations"): flat, with the deployment id and whether it can
/// still change. <see cref="Final"/> is true once the deployment is completed or its decision is not PENDING — a decided
/// verdict is kept for good (the judge stops at its first crossing, and the window closing turns PENDING into INCONCLUSIVE).
/// </summary>
internal sealed record DeploymentVerdict(
    string DeploymentId,
    Decision Decision,
    bool Final,
    string Reason,
    double? Score,
    DateTimeOffset? DecidedAt,
    IReadOnlyList<MetricJudgement> Metrics)
{
    public static DeploymentVerdict Of(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return Of(deployment.Id, deployment.Verdict, deployment.Status);
    }

    public static DeploymentVerdict Of(string deploymentId, Verdict verdict, DeploymentStatus status)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new DeploymentVerdict(deploymentId, verdict.Decision,
            status != DeploymentStatus.Verifying || verdict.Decision != Decision.Pending,
            verdict.Reason, verdict.Score, verdict.DecidedAt, verdict.Metrics);
    }
}

/// <summary>
/// A <see cref="DeploymentVerdict"/> serialized once, with its entity tag: the same bytes answer every waiting request,
/// and the tag is a hash of exactly those bytes, so it changes whenever anything a reader sees changes.
/// </summary>
internal sealed class VerdictAnswer
{
    private VerdictAnswer(DeploymentVerdict verdict, byte[] json, string etag)
    {
        Verdict = verdict;
        Json = json;
        ETag = etag;
    }

    public DeploymentVerdict Verdict { get; }

    public byte[] Json { get; }

    /// <summary>A strong entity tag, quoted as HTTP writes it (RFC 9110 §8.8.3).</summary>
    public string ETag { get; }

    public static VerdictAnswer Of(Deployment deployment) => Of(DeploymentVerdict.Of(deployment));

    public static VerdictAnswer Of(DeploymentVerdict verdict)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(verdict, ContractJson.Options);
        var hash = SHA256.HashData(json);
        return new VerdictAnswer(verdict, json, "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 12)) + "\"");
    }
}
