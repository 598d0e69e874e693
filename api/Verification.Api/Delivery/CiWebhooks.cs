using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Verification.Api.Contracts;

namespace Verification.Api.Delivery;

/// <summary>
/// The webhook payloads CI systems already send, mapped to <see cref="PipelineRunInput"/>s (README "Delivery KPIs" has
/// the table): GitHub Actions <c>workflow_run</c> and GitLab pipeline events. Pure functions of the payload; the
/// signature checks are here too so that both sides of a test use the same code as the endpoint.
/// </summary>
public static class CiWebhooks
{
    /// <summary>Words that make a workflow, pipeline or job a SECURITY run (GitLab's own scanner jobs included).</summary>
    private static readonly string[] SecurityWords =
        ["security", "sast", "dast", "codeql", "scan", "secret_detection", "secret-detection", "dependency_scanning", "trivy", "snyk", "audit"];

    private static readonly string[] DeployWords = ["deploy", "release", "publish", "rollout"];

    private static readonly string[] TestWords = ["test", "check", "lint", "verify"];

    /// <summary>
    /// The kind of a run named <paramref name="name"/> (and, for a job, its stage): SECURITY, DEPLOY, TEST by the first
    /// matching word list in that order (case-insensitive), else BUILD.
    /// </summary>
    public static PipelineKind InferKind(params string?[] names)
    {
        bool Has(string[] words) => names.Any(n => n is not null && words.Any(w => n.Contains(w, StringComparison.OrdinalIgnoreCase)));
        return Has(SecurityWords) ? PipelineKind.Security
            : Has(DeployWords) ? PipelineKind.Deploy
            : Has(TestWords) ? PipelineKind.Test
            : PipelineKind.Build;
    }

    /// <summary>
    /// GitHub <c>X-Hub-Signature-256</c>: <c>sha256=</c> and the hex HMAC-SHA256 of the raw body keyed with the webhook
    /// secret (GitHub docs, "Validating webhook deliveries"); compared in constant time.
    /// </summary>
    public static bool GitHubSignatureValid(ReadOnlySpan<byte> body, string secret, string? header)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (header is null || !header.StartsWith("sha256=", StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(7));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The header value GitHub would send for <paramref name="body"/> (for tests and for curl examples).</summary>
    public static string GitHubSignature(ReadOnlySpan<byte> body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>GitLab <c>X-Gitlab-Token</c>: the secret token itself (GitLab sends it as configured), compared in constant time.</summary>
    public static bool GitLabTokenValid(string token, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(header));

    /// <summary>
    /// A <c>workflow_run</c> delivery: one run when <c>action</c> is <c>completed</c> with a conclusion that passes or
    /// fails (success → SUCCEEDED; failure, timed_out, startup_failure → FAILED; cancelled → CANCELLED); nothing for
    /// requested/in_progress deliveries or for skipped, neutral, stale and action_required conclusions, which neither pass
    /// nor fail a change. <paramref name="service"/> defaults to the repository's name, <paramref name="kind"/> to
    /// <see cref="InferKind"/> of the workflow's name and path.
    /// </summary>
    public static IReadOnlyList<PipelineRunInput> FromGitHub(JsonElement payload, string? service, PipelineKind? kind)
    {
        var action = Text(payload, "action");
        var run = Child(payload, "workflow_run");
        if (action != "completed")
        {
            return [];
        }

        PipelineStatus? status = Text(run, "conclusion") switch
        {
            "success" => PipelineStatus.Succeeded,
            "failure" or "timed_out" or "startup_failure" => PipelineStatus.Failed,
            "cancelled" => PipelineStatus.Cancelled,
            _ => null,
        };
        if (status is null)
        {
            return [];
        }

        var repository = Child(payload, "repository");
        var name = Text(run, "name") ?? Text(run, "path") ?? Required(run, "workflow_run.workflow_id", "workflow_id");
        var id = Required(run, "workflow_run.id", "id");
        var attempt = run.TryGetProperty("run_attempt", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : 1;
        var repo = Text(repository, "full_name") ?? Required(repository, "repository.name", "name");
        return
        [
            new PipelineRunInput(
                service ?? Required(repository, "repository.name", "name"),
                name,
                id,
                kind ?? InferKind(name, Text(run, "path")),
                status.Value,
                Time(run, "run_started_at", "workflow_run.run_started_at"),
                Time(run, "updated_at", "workflow_run.updated_at"),
                Text(run, "head_sha"),
                null,
                attempt,
                string.Create(CultureInfo.InvariantCulture, $"github:{repo}/{id}/{attempt}")),
        ];
    }

    /// <summary>
    /// A GitLab pipeline event (<c>object_kind</c> <c>pipeline</c>): the pipeline as one run once its status is final
    /// (success → SUCCEEDED, failed → FAILED, canceled → CANCELLED; running, pending, created, manual, skipped: nothing),
    /// and each finished job (<c>builds</c>) whose name or stage names a security scan as a SECURITY run of its own.
    /// A pipeline retried after failing reports again with the same id and a new status: both are kept (batch id
    /// <c>gitlab:{project}/{pipeline}/{status}</c>), so a failure followed by success on the same commit counts as flaky.
    /// </summary>
    public static IReadOnlyList<PipelineRunInput> FromGitLab(JsonElement payload, string? service, PipelineKind? kind)
    {
        if (Text(payload, "object_kind") != "pipeline")
        {
            throw new InputException("object_kind", $"must be 'pipeline' (a GitLab pipeline event), got '{Text(payload, "object_kind")}'");
        }

        var attributes = Child(payload, "object_attributes");
        var project = Child(payload, "project");
        var projectId = Text(project, "path_with_namespace") ?? Required(project, "project.id", "id");
        var sha = Text(attributes, "sha");
        var serviceName = service ?? Required(project, "project.name", "name");
        var runs = new List<PipelineRunInput>();
        var pipelineId = Required(attributes, "object_attributes.id", "id");
        if (GitLabStatus(Text(attributes, "status")) is { } status)
        {
            var name = Text(attributes, "name") is { Length: > 0 } n ? n : "pipeline";
            runs.Add(new PipelineRunInput(serviceName, name, pipelineId, kind ?? InferKind(name), status,
                Time(attributes, "created_at", "object_attributes.created_at"),
                Time(attributes, "finished_at", "object_attributes.finished_at"),
                sha, null, null, $"gitlab:{projectId}/{pipelineId}/{status.ToString().ToLowerInvariant()}"));
        }

        if (payload.TryGetProperty("builds", out var builds) && builds.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var job in builds.EnumerateArray())
            {
                var field = $"builds[{index++}]";
                var jobName = Text(job, "name");
                if (GitLabStatus(Text(job, "status")) is not { } jobStatus || InferKind(jobName, Text(job, "stage")) != PipelineKind.Security)
                {
                    continue;
                }

                var jobId = Required(job, $"{field}.id", "id");
                runs.Add(new PipelineRunInput(serviceName, jobName ?? "security", jobId, PipelineKind.Security, jobStatus,
                    Time(job, "started_at", $"{field}.started_at"), Time(job, "finished_at", $"{field}.finished_at"), sha, null, null,
                    $"gitlab:{projectId}/job/{jobId}/{jobStatus.ToString().ToLowerInvariant()}"));
            }
        }

        return runs;
    }

    private static PipelineStatus? GitLabStatus(string? status) => status switch
    {
        "success" => PipelineStatus.Succeeded,
        "failed" => PipelineStatus.Failed,
        "canceled" or "cancelled" => PipelineStatus.Cancelled,
        _ => null,
    };

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object
            ? child
            : throw new InputException(name, "is required and must be an object");

    private static string? Text(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string Required(JsonElement parent, string field, string name) =>
        Text(parent, name) is { Length: > 0 } text ? text : throw new InputException(field, "is required");

    /// <summary>ISO-8601 (GitHub), or GitLab's <c>2026-11-20 10:04:05 UTC</c>; null when absent.</summary>
    private static DateTimeOffset? Time(JsonElement parent, string name, string field)
    {
        if (Text(parent, name) is not { Length: > 0 } text)
        {
            return null;
        }

        var trimmed = text.EndsWith(" UTC", StringComparison.Ordinal) ? text[..^4] + "Z" : text;
        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new InputException(field, $"must be a time, got '{text}'");
    }
}
