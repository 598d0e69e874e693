namespace Verification.Analysis.Dora;

/// <summary>Where a deployment ended up (mirrors the API's <c>DeploymentStatus</c>; analysis depends on nothing of ours).</summary>
public enum DoraDeploymentStatus
{
    Verifying,
    Promoted,
    RolledBack,
    Aborted,
}

/// <summary>DORA performance clusters (State of DevOps 2023).</summary>
public enum PerformanceLevel
{
    Elite,
    High,
    Medium,
    Low,
}

/// <summary>One deployment as DORA sees it.</summary>
/// <param name="FinishedAt">When it was promoted, rolled back or aborted; null while verifying.</param>
/// <param name="CommitTime">First commit of the change; lead time = promotion − commit.</param>
/// <param name="Unplanned">Deployed to remediate a production problem (rework), not as planned delivery.</param>
/// <param name="LinkedIncidents">Ids of incidents attributed to this deployment.</param>
/// <param name="FailureDetectedAt">When the failure was detected (e.g. the ROLLBACK verdict's time); recovery of a
/// rollback is measured from here, or from <paramref name="StartedAt"/> when unknown.</param>
/// <param name="Override">Completed against the verdict of that moment (e.g. promoted while it was still PENDING).</param>
public sealed record DoraDeployment(
    string Id,
    string Service,
    string? Team,
    string Environment,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DoraDeploymentStatus Status,
    DateTimeOffset? CommitTime,
    bool Unplanned,
    IReadOnlyList<string> LinkedIncidents,
    DateTimeOffset? FailureDetectedAt = null,
    bool Override = false)
{
    /// <summary>The environment whose deployments DORA counts.</summary>
    public const string Production = "production";

    public bool IsProduction => string.Equals(Environment, Production, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A production incident, optionally attributed to a deployment.</summary>
public sealed record DoraIncident(
    string Id,
    string Service,
    string? DeploymentId,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>Performance level per metric and overall; null where the metric is undefined.</summary>
public sealed record DoraLevels(
    PerformanceLevel? DeploymentFrequency,
    PerformanceLevel? LeadTime,
    PerformanceLevel? ChangeFailureRate,
    PerformanceLevel? RecoveryTime,
    PerformanceLevel? Overall);

/// <summary>
/// DORA metrics over one window. Null means undefined (nothing to measure), never 0.
/// </summary>
/// <param name="From">Window start, inclusive.</param>
/// <param name="To">Window end, exclusive.</param>
/// <param name="Deployments">Production deployments whose event time (finish, else start) lies in the window.</param>
/// <param name="DeploymentFrequencyPerDay">Promoted production deployments per day of the window (0 when none).</param>
/// <param name="LeadTimeHours">Median of promotion − commit time, hours.</param>
/// <param name="LeadTimeP90Hours">90th percentile of promotion − commit time, hours.</param>
/// <param name="ChangeFailureRate">Failed ÷ finished production deployments.</param>
/// <param name="RecoveryTimeHours">Median failed-deployment recovery time, hours.</param>
/// <param name="ReworkRate">Unplanned ÷ all production deployments.</param>
public sealed record DoraMetrics(
    DateTimeOffset From,
    DateTimeOffset To,
    int Deployments,
    double DeploymentFrequencyPerDay,
    double? LeadTimeHours,
    double? LeadTimeP90Hours,
    double? ChangeFailureRate,
    double? RecoveryTimeHours,
    double? ReworkRate,
    DoraLevels Levels,
    int Overrides = 0)
{
    /// <summary>The overall level (API <c>DeliveryMetrics.performance</c>).</summary>
    public PerformanceLevel? Performance => Levels.Overall;
}

/// <summary>DORA metrics of one ISO week (Monday 00:00 UTC to the next Monday).</summary>
public sealed record DoraWeek(int IsoYear, int IsoWeek, DoraMetrics Metrics);
