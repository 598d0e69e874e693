using Verification.Api.Slo;

namespace Verification.Api.Contracts;

/// <summary>The alert an SLO's burn rates call for (multi-window, multi-burn-rate; SRE Workbook ch. 5).</summary>
[GenerateSerializer]
[Alias("Verification.AlertLevel")]
public enum AlertLevel
{
    None,
    Ticket,
    Page,
}

/// <summary>How an SLO's budget is counted (OpenSLO v1 <c>spec.budgetingMethod</c>).</summary>
[GenerateSerializer]
[Alias("Verification.SloBudgetingMethod")]
public enum SloBudgetingMethod
{
    Occurrences,
    Timeslices,
}

/// <summary>The burn rate over one trailing window, spelled <c>5m</c>, <c>30m</c>, <c>1h</c>, <c>2h</c>, <c>6h</c>, <c>1d</c>, <c>3d</c>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.BurnRate")]
public sealed record BurnRate(string Window, double Rate);

/// <summary>The state of one objective of an SLO (an SLO with several targets has one per target).</summary>
/// <param name="BudgetRemaining">1 untouched, 0 spent, negative overspent.</param>
/// <param name="TimeToExhaustionHours">Hours until the budget is spent if the 1 h burn rate holds; 0 when spent; null when not burning.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloObjectiveStatus")]
public sealed record SloObjectiveStatus(
    string? DisplayName,
    double Target,
    double BudgetRemaining,
    double BudgetConsumed,
    double? TimeToExhaustionHours,
    IReadOnlyList<BurnRate> BurnRates,
    AlertLevel Alert,
    long Good,
    long Total);

/// <summary>
/// One SLO of a service with its current error budget. The headline numbers (target, budget, burn rates, alert,
/// good/total) are those of the governing objective: the one with the highest alert, then the least budget left.
/// </summary>
/// <param name="Window">The budgeting window as text: <c>28d rolling</c>, or <c>1M calendar from 2026-01-01 00:00 UTC</c>.</param>
/// <param name="PeriodStart">Start of the budgeting period evaluated (rolling: now − duration).</param>
/// <param name="PeriodEnd">End of the period (rolling: now; calendar: the next reset).</param>
/// <param name="DefinedAt">When the current definition was applied (its buckets start empty then).</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Slo")]
public sealed record Slo(
    string Service,
    string Name,
    string? DisplayName,
    string? Description,
    double Target,
    string Window,
    SloBudgetingMethod BudgetingMethod,
    double BudgetRemaining,
    double BudgetConsumed,
    double? TimeToExhaustionHours,
    IReadOnlyList<BurnRate> BurnRates,
    AlertLevel Alert,
    long Good,
    long Total,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset DefinedAt,
    IReadOnlyList<SloObjectiveStatus> Objectives);

/// <summary>Good and total events of one SLO's indicator observed at one time (GraphQL <c>SloEventsInput</c>).</summary>
/// <param name="At">When the events happened; default: when they arrive. Counted in the minute of this time.</param>
/// <param name="BatchId">Idempotency key, unique per service: a batch with a known id is not counted twice.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloEventsInput")]
public sealed record SloEventsInput(
    string Service,
    string Slo,
    long Good,
    long Total,
    DateTimeOffset? At = null,
    string? BatchId = null);

/// <summary>The answer to one <c>recordSloEvents</c>: 1 accepted, or 0 and duplicate when the batch id was known.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloEventsPayload")]
public sealed record SloEventsPayload(int Accepted, bool Duplicate);

/// <summary>The answer to recording several event batches (bulk NDJSON).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloEventsResult")]
public sealed record SloEventsResult(int Accepted, int Duplicates);

/// <summary>
/// When a service's SLOs block promotions, and when a page after a promotion opens an incident.
/// Default: block while any SLO's budget is spent or it pages; an SLO page within 60 minutes after a promotion
/// opens an incident linked to that deployment.
/// </summary>
/// <param name="MinBudgetRemaining">Block while an SLO's budget remaining is at or below this (0 = spent), in [-1, 1).</param>
/// <param name="BlockOnPage">Block while an SLO's alert is PAGE.</param>
/// <param name="BlockOnTicket">Block while an SLO's alert is TICKET (or PAGE).</param>
/// <param name="IncidentWindowMinutes">An SLO page this long after a promotion opens an incident; 0 turns that off.</param>
/// <param name="MaxBurnRate">Block while any SLO burns its budget faster than this over that window (e.g. 2× over 1h); null: no limit.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.ReleasePolicy")]
public sealed record ReleasePolicy(
    double MinBudgetRemaining = 0,
    bool BlockOnPage = true,
    bool BlockOnTicket = false,
    int IncidentWindowMinutes = ReleasePolicy.DefaultIncidentWindowMinutes,
    BurnRateLimit? MaxBurnRate = null)
{
    public const int DefaultIncidentWindowMinutes = 60;
    public const int MaxIncidentWindowMinutes = 7 * 24 * 60;
}

/// <summary>A release-policy limit on one burn-rate window (<c>maxBurnRate: {window: "1h", rate: 2}</c>).</summary>
/// <param name="Window">One of <c>5m</c>, <c>30m</c>, <c>1h</c>, <c>2h</c>, <c>6h</c>, <c>1d</c>, <c>3d</c>.</param>
/// <param name="Rate">Promotions pause while the burn rate over <paramref name="Window"/> is above this (1 = exactly on budget).</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.BurnRateLimit")]
public sealed record BurnRateLimit(string Window, double Rate);

/// <summary>The budget gate's answer for a promotion of the service, at <see cref="CheckedAt"/>.</summary>
/// <param name="Allowed">True when no SLO blocks a promotion under the service's <see cref="ReleasePolicy"/>.</param>
/// <param name="Reason">One sentence: which SLO blocks and its numbers, or why it is allowed.</param>
/// <param name="Slo">The blocking SLO, if any.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.ReleaseGate")]
public sealed record ReleaseGate(
    bool Allowed,
    string Reason,
    string? Slo,
    double? BudgetRemaining,
    AlertLevel? Alert,
    DateTimeOffset CheckedAt);

/// <summary>A service: its SLOs with their budgets, its release policy, the gate now and its recent incidents.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Service")]
public sealed record Service(
    string Name,
    IReadOnlyList<Slo> Slos,
    ReleasePolicy Policy,
    ReleaseGate Gate,
    IReadOnlyList<Incident> Incidents);

/// <summary>The event times an SLO accepts at one instant: older ones could not be counted in any window.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloEventWindow")]
public sealed record SloEventWindow(string Slo, DateTimeOffset OldestAccepted, DateTimeOffset NewestAccepted);

/// <summary>Tells a service grain what became of one of its deployments (from the deployment grain, awaited).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeploymentCompletion")]
public sealed record DeploymentCompletion(string DeploymentId, DeploymentStatus Status, DateTimeOffset At);

/// <summary>An OpenSLO input was rejected: every error with its field path (e.g. <c>documents[1].spec.objectives[0].target</c>).</summary>
[GenerateSerializer]
[Alias("Verification.SloDefinitionException")]
public sealed class SloDefinitionException : Exception
{
    public SloDefinitionException(IReadOnlyList<OpenSloError> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    public SloDefinitionException()
        : this([])
    {
    }

    public SloDefinitionException(string message)
        : this([new OpenSloError("yaml", message)])
    {
    }

    public SloDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new OpenSloError("yaml", message)];
    }

    [Id(0)]
    public IReadOnlyList<OpenSloError> Errors { get; }
}

/// <summary>
/// One grain per service name: owns the service's SLO definitions and their 1-minute event buckets, its release
/// policy (the budget gate) and its incidents. It never calls a deployment grain (deployment grains call it), so
/// grain calls cannot form a cycle.
/// </summary>
[Alias("Verification.IServiceGrain")]
public interface IServiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies the SLOs of this service found in the OpenSLO <paramref name="yaml"/> (already validated by the caller;
    /// SLOs of other services in it are ignored). Same definition again: no change. A changed definition starts
    /// with empty buckets. SLOs not in the input stay. Returns the applied SLOs.
    /// </summary>
    [Alias("ApplySlosAsync")]
    Task<IReadOnlyList<Slo>> ApplySlosAsync(string yaml, CancellationToken cancellationToken);

    /// <summary>
    /// Per SLO defined, the range of event times it accepts now; empty when none. Lets a caller validate bulk input
    /// for several services before storing anything (<see cref="Slo.SloEventValidation"/>).
    /// </summary>
    [Alias("GetEventWindowsAsync")]
    Task<IReadOnlyList<SloEventWindow>> GetEventWindowsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="first"/> non-empty minutes still held, of SLOs named <paramref name="afterSlo"/> (after the minute
    /// <paramref name="afterMinute"/>) and after it, ordered by SLO name then minute; null <paramref name="afterSlo"/>: from the start.
    /// </summary>
    [Alias("ReadMinutesAsync")]
    Task<SloMinutePage> ReadMinutesAsync(string? afterSlo, DateTimeOffset afterMinute, int first, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the event batches durably (one transaction), skipping those whose batchId is known. Every batch must be
    /// valid for this service, else <see cref="InputException"/> and nothing is stored.
    /// </summary>
    [Alias("RecordEventsAsync")]
    Task<SloEventsResult> RecordEventsAsync(IReadOnlyList<SloEventsInput> events, CancellationToken cancellationToken);

    /// <summary>The service now, or null when nothing was ever stored for it.</summary>
    [Alias("GetAsync")]
    Task<Service?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Every SLO defined, ordered by name, as Prometheus rule generation needs it (<see cref="SloRuleSource"/>).</summary>
    [Alias("GetRuleSourcesAsync")]
    Task<IReadOnlyList<SloRuleSource>> GetRuleSourcesAsync(CancellationToken cancellationToken);

    /// <summary>Sets the release policy; returns it as stored.</summary>
    [Alias("SetPolicyAsync")]
    Task<ReleasePolicy> SetPolicyAsync(ReleasePolicy policy, CancellationToken cancellationToken);

    /// <summary>The budget gate for promoting <paramref name="deploymentId"/> now (read-only).</summary>
    [Alias("CheckReleaseAsync")]
    Task<ReleaseGate> CheckReleaseAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>Records a promotion or rollback (idempotent per deployment) and opens an incident if an SLO pages already.</summary>
    [Alias("DeploymentCompletedAsync")]
    Task DeploymentCompletedAsync(DeploymentCompletion completion, CancellationToken cancellationToken);

    /// <summary>Opens an incident of this service.</summary>
    [Alias("OpenIncidentAsync")]
    Task<Incident> OpenIncidentAsync(OpenIncidentInput input, CancellationToken cancellationToken);

    /// <summary>Resolves an incident of this service; resolving again with the same input returns it unchanged.</summary>
    [Alias("ResolveIncidentAsync")]
    Task<Incident> ResolveIncidentAsync(string id, ResolveIncidentInput input, CancellationToken cancellationToken);
}

/// <summary>Lists services and incidents from storage without activating service grains (for <c>services</c> and DORA).</summary>
public interface IServiceDirectory
{
    /// <summary>The names of every service with stored state, ordered.</summary>
    Task<IReadOnlyList<string>> ListServicesAsync(CancellationToken cancellationToken);

    /// <summary>The incidents of one service, or of all services when <paramref name="service"/> is null.</summary>
    Task<IReadOnlyList<Incident>> ListIncidentsAsync(string? service, CancellationToken cancellationToken);
}

/// <summary>
/// What Prometheus rules need of one SLO (<c>GET /v1/services/{name}/prometheus-rules</c>): its PromQL indicator
/// queries (null when a side is not a Prometheus source), objectives and the length of its budgeting period.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloRuleSource")]
public sealed record SloRuleSource(
    string Service,
    string Name,
    string? DisplayName,
    SloBudgetingMethod BudgetingMethod,
    string? GoodQuery,
    string? BadQuery,
    string? TotalQuery,
    IReadOnlyList<SloRuleObjective> Objectives,
    TimeSpan Period);

/// <summary>One objective of an SLO for rule generation.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.SloRuleObjective")]
public sealed record SloRuleObjective(string? DisplayName, double Target);
