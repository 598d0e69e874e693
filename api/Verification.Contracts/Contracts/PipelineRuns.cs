namespace Verification.Api.Contracts;

/// <summary>What a CI pipeline run did (GraphQL <c>PipelineKind</c>).</summary>
[GenerateSerializer]
[Alias("Verification.PipelineKind")]
public enum PipelineKind
{
    Build,
    Test,
    Security,
    Deploy,
}

/// <summary>How a pipeline run ended (GraphQL <c>PipelineStatus</c>).</summary>
[GenerateSerializer]
[Alias("Verification.PipelineStatus")]
public enum PipelineStatus
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// One finished CI pipeline run (contract v1.1 "delivery KPIs": <c>POST /v1/pipeline-runs</c>, <c>recordPipelineRun</c>).
/// </summary>
/// <param name="FinishedAt">Default: when it arrives.</param>
/// <param name="Attempt">1 for the first run, 2 for the first retry, …; default 1.</param>
/// <param name="BatchId">Idempotency key, unique per service; default <c>{pipeline}/{runId}/{attempt}</c>, so the same run
/// reported twice is counted once.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PipelineRunInput")]
public sealed record PipelineRunInput(
    string Service,
    string Pipeline,
    string RunId,
    PipelineKind Kind,
    PipelineStatus Status,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? FinishedAt = null,
    string? CommitSha = null,
    string? Artifact = null,
    int? Attempt = null,
    string? BatchId = null);

/// <summary>A pipeline run as stored: defaults applied (finish time, attempt, batch id).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PipelineRun")]
public sealed record PipelineRun(
    string Service,
    string Pipeline,
    string RunId,
    PipelineKind Kind,
    PipelineStatus Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset FinishedAt,
    string? CommitSha,
    string? Artifact,
    int Attempt,
    string BatchId);

/// <summary>The answer to one <c>recordPipelineRun</c>: 1 accepted, or 0 and duplicate when the batch id was known.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PipelineRunPayload")]
public sealed record PipelineRunPayload(int Accepted, bool Duplicate);

/// <summary>The answer to recording several runs (<c>POST /v1/pipeline-runs</c>, the CI webhooks).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PipelineRunsResult")]
public sealed record PipelineRunsResult(int Accepted, int Duplicates);

/// <summary>One grain per service: the journal of its pipeline runs, de-duplicated by batch id.</summary>
[Alias("Verification.IPipelineGrain")]
public interface IPipelineGrain : IGrainWithStringKey
{
    /// <summary>
    /// Appends the runs (already validated and normalized, all of this service) durably in one transaction, skipping those
    /// whose batch id is known.
    /// </summary>
    [Alias("RecordAsync")]
    Task<PipelineRunsResult> RecordAsync(IReadOnlyList<PipelineRun> runs, CancellationToken cancellationToken);
}

/// <summary>Reads what the delivery KPIs need straight from storage, without activating grains.</summary>
public interface IDeliveryDirectory
{
    /// <summary>The pipeline runs of one service, or of every service when <paramref name="service"/> is null.</summary>
    Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? service, CancellationToken cancellationToken);

    /// <summary>The release policy of every service that has stored one (others have the default).</summary>
    Task<IReadOnlyDictionary<string, ReleasePolicy>> ListPoliciesAsync(CancellationToken cancellationToken);
}
