namespace Verification.Analysis.Slo;

/// <summary>How the budget is counted (OpenSLO v1 <c>spec.budgetingMethod</c>).</summary>
public enum BudgetingMethod
{
    /// <summary>Good events over all events, weighted by traffic.</summary>
    Occurrences,

    /// <summary>Good time slices over all time slices; a slice is good when its good ratio reaches the slice target.</summary>
    Timeslices,
}

/// <summary>
/// What one SLO objective promises: the target, the window it is measured over and how the budget is
/// counted. The input of <see cref="SloBuckets"/>.
/// </summary>
public sealed record SloPolicy
{
    /// <summary>The longest time slice accepted.</summary>
    public static readonly TimeSpan MaxTimeSliceWindow = TimeSpan.FromDays(1);

    /// <param name="target">Fraction of good events (or slices) promised, strictly between 0 and 1.</param>
    /// <param name="window">The budgeting window.</param>
    /// <param name="method">How the budget is counted.</param>
    /// <param name="timeSliceTarget">Timeslices only: good ratio a slice needs to be good, in (0, 1].</param>
    /// <param name="timeSliceWindow">Timeslices only: length of a slice, whole minutes, at most 1 day.</param>
    public SloPolicy(
        double target,
        SloWindow window,
        BudgetingMethod method = BudgetingMethod.Occurrences,
        double? timeSliceTarget = null,
        TimeSpan? timeSliceWindow = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!(target > 0 && target < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "The target must be between 0 and 1 (exclusive).");
        }

        if (method == BudgetingMethod.Timeslices)
        {
            if (timeSliceTarget is not { } sliceTarget || !(sliceTarget > 0 && sliceTarget <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(timeSliceTarget), timeSliceTarget, "Timeslices need a slice target in (0, 1].");
            }

            if (timeSliceWindow is not { } slice || slice < TimeSpan.FromMinutes(1) || slice > MaxTimeSliceWindow
                || slice.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(timeSliceWindow), timeSliceWindow, "Timeslices need a slice of whole minutes, 1 min to 1 d.");
            }
        }
        else if (timeSliceTarget is not null || timeSliceWindow is not null)
        {
            throw new ArgumentException("Time slice settings apply to the Timeslices method only.", nameof(method));
        }

        Target = target;
        Window = window;
        Method = method;
        TimeSliceTarget = timeSliceTarget;
        TimeSliceWindow = timeSliceWindow;
    }

    public double Target { get; }

    public SloWindow Window { get; }

    public BudgetingMethod Method { get; }

    public double? TimeSliceTarget { get; }

    public TimeSpan? TimeSliceWindow { get; }

    /// <summary>The allowed bad fraction, 1 − target.</summary>
    public double ErrorBudget => 1 - Target;
}
