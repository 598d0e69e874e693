namespace Verification.Api.Contracts;

/// <summary>DORA performance clusters (State of DevOps 2023): GraphQL <c>ELITE | HIGH | MEDIUM | LOW</c>.</summary>
[GenerateSerializer]
[Alias("Verification.DeliveryPerformance")]
public enum DeliveryPerformance
{
    Elite,
    High,
    Medium,
    Low,
}

/// <summary>Where an incident came from.</summary>
[GenerateSerializer]
[Alias("Verification.IncidentSource")]
public enum IncidentSource
{
    /// <summary>Opened through the API.</summary>
    Manual,

    /// <summary>Opened by the service grain: an SLO paged within the policy's window after a promotion.</summary>
    SloPage,
}

/// <summary>
/// A production incident of a service. Linked to <see cref="DeploymentId"/> it makes that deployment a failed change
/// (DORA change failure rate, recovery time); <see cref="FixedByDeploymentId"/> names the deployment that fixed it,
/// which counts as rework.
/// </summary>
/// <param name="Id">Assigned as <c>{service}-{n}</c>, n counting from 1 per service.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Incident")]
public sealed record Incident(
    string Id,
    string Service,
    string Title,
    string? DeploymentId,
    IncidentSource Source,
    string? Slo,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt,
    string? FixedByDeploymentId);

/// <summary>Opens an incident (GraphQL <c>openIncident</c>).</summary>
/// <param name="DeploymentId">The deployment that caused it, if known.</param>
/// <param name="OpenedAt">When it began; default now; not in the future.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.OpenIncidentInput")]
public sealed record OpenIncidentInput(
    string Service,
    string? Title = null,
    string? DeploymentId = null,
    DateTimeOffset? OpenedAt = null);

/// <summary>Resolves an incident (GraphQL <c>resolveIncident</c>).</summary>
/// <param name="ResolvedAt">When service was restored; default now; not before it opened, not in the future.</param>
/// <param name="FixedByDeploymentId">The deployment that fixed it (counts as rework in DORA).</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.ResolveIncidentInput")]
public sealed record ResolveIncidentInput(DateTimeOffset? ResolvedAt = null, string? FixedByDeploymentId = null);

/// <summary>Performance level per DORA metric; null where the metric is undefined.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeliveryLevels")]
public sealed record DeliveryLevels(
    DeliveryPerformance? DeploymentFrequency,
    DeliveryPerformance? LeadTime,
    DeliveryPerformance? ChangeFailureRate,
    DeliveryPerformance? RecoveryTime);

/// <summary>
/// DORA delivery metrics over [From, To] for production deployments of a service, a team, or everything
/// (null filters). Null metrics are undefined (nothing to measure), never 0.
/// </summary>
/// <param name="Deployments">Production deployments whose finish (or start, while verifying) lies in the window.</param>
/// <param name="LeadTimeHours">Median of promotion − commit time.</param>
/// <param name="LeadTimeP90Hours">90th percentile of promotion − commit time.</param>
/// <param name="ChangeFailureRate">Rolled back or incident-linked ÷ finished deployments.</param>
/// <param name="RecoveryTimeHours">Median failed-deployment recovery time.</param>
/// <param name="ReworkRate">Rework (registered unplanned, or named as the fix of an incident) ÷ deployments.</param>
/// <param name="Performance">The lowest of the defined per-metric levels; null without deployments.</param>
/// <remarks>The fields after <see cref="Overrides"/> are the KPIs beyond DORA (contract v1.1 "delivery KPIs"; README
/// "Executive guide"): see <c>DeliveryKpiCalculator</c> for their definitions.</remarks>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeliveryMetrics")]
public sealed record DeliveryMetrics(
    string? Service,
    string? Team,
    DateTimeOffset From,
    DateTimeOffset To,
    int Deployments,
    double DeploymentFrequencyPerDay,
    double? LeadTimeHours,
    double? LeadTimeP90Hours,
    double? ChangeFailureRate,
    double? RecoveryTimeHours,
    double? ReworkRate,
    DeliveryLevels Levels,
    DeliveryPerformance? Performance,
    int Overrides = 0,
    int PipelineRuns = 0,
    double? PipelineSuccessRate = null,
    int FlakyRuns = 0,
    double? SecurityGateFailureRate = null,
    double? TimeToDetectMinutes = null,
    double? TimeToDetectP90Minutes = null,
    double? TimeToDetectPageMinutes = null,
    double? ProvenanceCoverage = null,
    double? PagesPerRelease = null,
    double? LeadTimeP50Hours = null,
    IReadOnlyList<LeadTimeBucket>? LeadTimeHistogram = null,
    IReadOnlyList<CanaryDelta>? CanaryDeltas = null)
{
    /// <summary>M1–M10 with the reference level next to each value (<see cref="KpiTable"/>).</summary>
    public IReadOnlyList<Kpi> Kpis => KpiTable.Of(this);
}

/// <summary>DORA metrics of one ISO week (Monday 00:00 UTC to the next Monday; the ends clipped to the range asked for).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeliveryWeek")]
public sealed record DeliveryWeek(int IsoYear, int IsoWeek, DeliveryMetrics Metrics);

/// <summary>The answer of <c>GET /v1/delivery</c>: the metrics over the window, and weekly rows when asked for.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeliveryReport")]
public sealed record DeliveryReport(DeliveryMetrics Metrics, IReadOnlyList<DeliveryWeek> Weeks);
