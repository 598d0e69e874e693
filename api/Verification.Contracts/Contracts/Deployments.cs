namespace Verification.Api.Contracts;

/// <summary>Where pushed (OTLP, remote-write) or pulled (PromQL) telemetry for a metric comes from.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.MetricSourceInput")]
public sealed record MetricSourceInput(
    string? CountMetric = null,
    string? TotalMetric = null,
    string? ValueMetric = null,
    string? Promql = null);

/// <summary>A metric the canary is judged on.</summary>
/// <param name="AllowedChange">Relative change tolerated before the metric fails; also the promotion margin unless
/// <paramref name="PromotionMargin"/> is set.</param>
/// <param name="PromotionMargin">Relative change within which the canary must be shown for PROMOTE, apart from the
/// rollback threshold; null: <paramref name="AllowedChange"/>, else 10 %.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.MetricInput")]
public sealed record MetricInput(
    string Name,
    MetricKind Kind,
    Direction Direction = Direction.Either,
    bool Critical = false,
    double? AllowedChange = null,
    MetricSourceInput? Source = null,
    double? PromotionMargin = null);

/// <summary>How the canary is judged.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.AnalysisInput")]
public sealed record AnalysisInput(
    AnalysisMethod Method = AnalysisMethod.Sequential,
    double Alpha = AnalysisInput.DefaultAlpha,
    int? MinDurationSeconds = null,
    int? MaxDurationSeconds = null)
{
    public const double DefaultAlpha = 0.01;
}

/// <summary>Registers a deployment; the id is the deploy ID telemetry is linked by.</summary>
/// <param name="Team">The team that owns the change (DORA per team).</param>
/// <param name="Unplanned">Deployed to remediate a production problem rather than as planned delivery (DORA rework).</param>
/// <param name="Metrics">May be omitted (null) only when <paramref name="Template"/> names a template: the deployment grain
/// merges the template in (DeploymentValidation.ApplyTemplate) before normalizing, so a stored registration always has metrics.</param>
/// <param name="Template">An analysis template whose metrics and analysis this registration uses, its own fields taking precedence.</param>
/// <param name="Artifact">Provenance: the immutable artifact deployed (image digest, or a tag never reused).</param>
/// <param name="BuildId">Provenance: the CI build that produced it.</param>
/// <param name="PipelineRunId">Provenance: the pipeline run that deployed it.</param>
/// <param name="ChangeUrl">Provenance: the change (pull/merge request) it ships, an http(s) URL.</param>
/// <param name="ApprovedBy">Provenance: who approved the change.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.RegisterDeploymentInput")]
public sealed record RegisterDeploymentInput(
    string Id,
    string Service,
    string Version,
    IReadOnlyList<MetricInput> Metrics = null!,
    string Environment = RegisterDeploymentInput.DefaultEnvironment,
    string? CommitSha = null,
    DateTimeOffset? CommitTime = null,
    AnalysisInput? Analysis = null,
    string? Team = null,
    bool Unplanned = false,
    string? Template = null,
    string? Artifact = null,
    string? BuildId = null,
    string? PipelineRunId = null,
    string? ChangeUrl = null,
    string? ApprovedBy = null)
{
    public const string DefaultEnvironment = "production";
}

/// <summary>One batch of samples for one metric and cohort of one deployment.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SamplesInput")]
public sealed record SamplesInput(
    string DeploymentId,
    Cohort Cohort,
    string Metric,
    IReadOnlyList<double>? Values = null,
    long? Count = null,
    long? Total = null,
    DateTimeOffset? At = null,
    string? BatchId = null);

/// <summary>A metric as registered, with defaults applied.</summary>
/// <param name="PromotionMargin">The promotion margin as registered; null: <paramref name="AllowedChange"/>, else 10 %.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.MetricDefinition")]
public sealed record MetricDefinition(
    string Name,
    MetricKind Kind,
    Direction Direction,
    bool Critical,
    double? AllowedChange,
    MetricSourceInput? Source,
    double? PromotionMargin = null);

/// <summary>The judgement of one metric.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.MetricJudgement")]
public sealed record MetricJudgement(
    string Metric,
    Classification Classification,
    bool Critical,
    double? PValue,
    double? Effect,
    double? CiLow,
    double? CiHigh,
    long BaselineCount,
    long CanaryCount);

/// <summary>The decision on a deployment, with the evidence behind it.</summary>
/// <param name="Gate">The service's budget gate, consulted when the judge would promote; null until then.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Verdict")]
public sealed record Verdict(
    Decision Decision,
    string Reason,
    double? Score,
    DateTimeOffset? DecidedAt,
    IReadOnlyList<MetricJudgement> Metrics,
    ReleaseGate? Gate = null)
{
    /// <summary>True when <paramref name="other"/> tells a reader the same (what subscribers are told about).</summary>
    public bool SameAnswer(Verdict other) =>
        other is not null && Decision == other.Decision && Reason == other.Reason && Nullable.Equals(Score, other.Score)
        && Metrics.SequenceEqual(other.Metrics);
}

/// <summary>What has been ingested for one metric and cohort.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.CohortSummary")]
public sealed record CohortSummary(
    string Metric,
    Cohort Cohort,
    long Observations,
    long? Count,
    long? Total,
    double? Mean);

/// <summary>A deployment as the API shows it; <paramref name="Team"/> and <paramref name="Unplanned"/> as registered.</summary>
/// <remarks><see cref="Override"/> is derived: after completion the verdict stays as it was at that moment.</remarks>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Deployment")]
public sealed record Deployment(
    string Id,
    string Service,
    string Version,
    string Environment,
    string? CommitSha,
    DateTimeOffset? CommitTime,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DeploymentStatus Status,
    IReadOnlyList<MetricDefinition> Metrics,
    AnalysisInput Analysis,
    IReadOnlyList<CohortSummary> Summaries,
    Verdict Verdict,
    string? Team = null,
    bool Unplanned = false,
    string? Artifact = null,
    string? BuildId = null,
    string? PipelineRunId = null,
    string? ChangeUrl = null,
    string? ApprovedBy = null)
{
    /// <summary>Set when the CD tool's completion went against the verdict of that moment; null otherwise.</summary>
    public CompletionOverride? Override => CompletionOverride.Of(Status, Verdict, FinishedAt);

    /// <summary>
    /// The provenance fields not known among <c>commitSha</c>, <c>artifact</c> and <c>buildId</c> (contract v1.1); empty when
    /// the deployment has full provenance.
    /// </summary>
    public IReadOnlyList<string> ProvenanceMissing => Provenance.Missing(CommitSha, Artifact, BuildId);
}

/// <summary>Which provenance a deployment lacks (one definition for the API, the KPIs and the UI).</summary>
public static class Provenance
{
    /// <summary>The names, in this order, of those of <c>commitSha</c>, <c>artifact</c>, <c>buildId</c> that are null.</summary>
    public static IReadOnlyList<string> Missing(string? commitSha, string? artifact, string? buildId)
    {
        var missing = new List<string>(3);
        if (commitSha is null)
        {
            missing.Add("commitSha");
        }

        if (artifact is null)
        {
            missing.Add("artifact");
        }

        if (buildId is null)
        {
            missing.Add("buildId");
        }

        return missing;
    }
}

/// <summary>
/// A completion that overrode the verdict: PROMOTED while the verdict was PENDING (not yet shown safe, or held by the
/// release gate) or ROLLBACK, or ROLLED_BACK while it was PROMOTE. An INCONCLUSIVE verdict leaves the decision to a person,
/// so no completion overrides it; ABORTED never does.
/// </summary>
/// <param name="CompletedAs">What the CD tool did.</param>
/// <param name="Decision">The verdict's decision when it did.</param>
/// <param name="Reason">The verdict's reason then.</param>
/// <param name="At">When it was completed.</param>
public sealed record CompletionOverride(DeploymentStatus CompletedAs, Decision Decision, string Reason, DateTimeOffset At)
{
    public static CompletionOverride? Of(DeploymentStatus status, Verdict verdict, DateTimeOffset? finishedAt)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var overrides = status switch
        {
            DeploymentStatus.Promoted => verdict.Decision is Decision.Pending or Decision.Rollback,
            DeploymentStatus.RolledBack => verdict.Decision is Decision.Promote,
            _ => false,
        };
        return overrides && finishedAt is { } at ? new CompletionOverride(status, verdict.Decision, verdict.Reason, at) : null;
    }
}

/// <summary>The answer to one recordSamples call.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.RecordSamplesPayload")]
public sealed record RecordSamplesPayload(long Accepted, bool Duplicate, Verdict Verdict);
