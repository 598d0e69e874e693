namespace Verification.Analysis.Slo;

/// <summary>The outcome of <see cref="SloBuckets.Add"/>.</summary>
public enum SloAddResult
{
    /// <summary>Counted in the bucket of its minute (or of now, when it was up to <see cref="SloBuckets.MaxClockSkew"/> ahead).</summary>
    Accepted,

    /// <summary>Older than the buckets kept (<see cref="SloBuckets.Retention"/>); not counted.</summary>
    TooOld,

    /// <summary>More than <see cref="SloBuckets.MaxClockSkew"/> ahead of now; not counted.</summary>
    InFuture,
}

/// <summary>One minute of events, as kept and as persisted by <see cref="SloBuckets.Snapshot"/>.</summary>
/// <param name="Minute">Minutes since the Unix epoch (UTC).</param>
public readonly record struct SloBucket(long Minute, long Good, long Total);

/// <summary>Time slices of the current period (Timeslices budgeting only).</summary>
/// <param name="Bad">Slices started so far in the period whose good ratio is below the slice target.</param>
/// <param name="Elapsed">Slices started so far in the period (the current, partial one included).</param>
/// <param name="InPeriod">Slices in the whole period: the budget allows (1 − target) · InPeriod bad slices.</param>
public sealed record SliceCounts(long Bad, long Elapsed, long InPeriod);

/// <summary>The state of one SLO objective at one instant.</summary>
/// <param name="Period">The budgeting period evaluated: the rolling window up to now, or the current calendar period.</param>
/// <param name="Good">Good events in the period so far.</param>
/// <param name="Total">All events in the period so far.</param>
/// <param name="BudgetConsumed">Fraction of the error budget spent: 0 none, 1 all, above 1 overspent.</param>
/// <param name="BudgetRemaining">1 − <paramref name="BudgetConsumed"/>: 1 untouched, 0 spent, negative overspent.</param>
/// <param name="BurnRates">One rate per window of <see cref="BurnRateWindows.All"/>, in that order.</param>
/// <param name="Alert">The multi-window, multi-burn-rate alert (<see cref="BurnRateAlerting"/>).</param>
/// <param name="TimeToExhaustion">
/// Time until the remaining budget is spent if the 1 h burn rate holds: remaining · period / rate1h.
/// Zero when already spent; null when the 1 h burn rate is 0 (never at this rate).
/// </param>
/// <param name="Slices">Time slice counts for Timeslices budgeting; null for Occurrences.</param>
public sealed record SloStatus(
    SloPeriod Period,
    long Good,
    long Total,
    double BudgetConsumed,
    double BudgetRemaining,
    IReadOnlyList<BurnRate> BurnRates,
    SloAlert Alert,
    TimeSpan? TimeToExhaustion,
    SliceCounts? Slices)
{
    /// <summary>
    /// The budget gate of the architecture brief: no promotion while the budget is spent or
    /// burning at page level.
    /// </summary>
    public bool BlocksPromotion => BudgetRemaining <= 0 || Alert == SloAlert.Page;
}
