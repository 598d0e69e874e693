namespace Verification.Analysis.Slo;

/// <summary>The alert an SLO's burn rates call for.</summary>
public enum SloAlert
{
    None,
    Ticket,
    Page,
}

/// <summary>
/// Multi-window, multi-burn-rate alerting: Google SRE Workbook, chapter 5 "Alerting on SLOs",
/// section "6: Multiwindow, Multi-Burn-Rate Alerts", table of recommended parameters for a 99.9 %
/// SLO over 30 days: page at 2 % of the budget spent in 1 h (burn rate 14.4, short window 5 m) or
/// 5 % in 6 h (6, 30 m); ticket at 10 % in 1 d (3, 2 h) or 10 % in 3 d (1, 6 h).
/// </summary>
/// <remarks>
/// The workbook's factors are budget fractions of a 30-day period: factor = fraction · 30 d / long
/// window (0.02 · 720 h / 1 h = 14.4). For an SLO whose period P differs, the same budget fraction in
/// the same long window gives factor = fraction · P / long window = workbookFactor · P / 30 d; a 28-day
/// SLO pages at 14.4 · 28/30 = 13.44. Computing it as workbookFactor · (P / 30 d) keeps the 30-day
/// factors exact in floating point. Both windows of a pair must be strictly above the factor.
/// </remarks>
public static class BurnRateAlerting
{
    /// <summary>The period the workbook's factors are stated for.</summary>
    public static readonly TimeSpan ReferencePeriod = TimeSpan.FromDays(30);

    /// <summary>The four rules: long window, short window, workbook factor, alert.</summary>
    public static readonly IReadOnlyList<(string Long, string Short, double Factor, SloAlert Alert)> Rules =
    [
        (BurnRateWindows.OneHour, BurnRateWindows.FiveMinutes, 14.4, SloAlert.Page),
        (BurnRateWindows.SixHours, BurnRateWindows.ThirtyMinutes, 6, SloAlert.Page),
        (BurnRateWindows.OneDay, BurnRateWindows.TwoHours, 3, SloAlert.Ticket),
        (BurnRateWindows.ThreeDays, BurnRateWindows.SixHours, 1, SloAlert.Ticket),
    ];

    /// <summary>The workbook factor scaled to an SLO period: factor · period / 30 d.</summary>
    public static double ScaledFactor(double workbookFactor, TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The SLO period must be positive.");
        }

        return workbookFactor * (period / ReferencePeriod);
    }

    /// <summary>The highest alert whose long and short window burn rates both exceed the scaled factor.</summary>
    /// <param name="rates">Burn rates by window name; a missing window counts as 0.</param>
    /// <param name="period">The SLO's budgeting period (the rolling duration or the current calendar period).</param>
    public static SloAlert Classify(IReadOnlyList<BurnRate> rates, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var alert = SloAlert.None;
        foreach (var rule in Rules)
        {
            if (rule.Alert > alert && Fires(rates, rule.Long, rule.Short, ScaledFactor(rule.Factor, period)))
            {
                alert = rule.Alert;
            }
        }

        return alert;
    }

    /// <summary>The rules that fire at <paramref name="rates"/> (the ones <see cref="Classify"/> takes the highest of), with their numbers.</summary>
    public static IReadOnlyList<FiringRule> Firing(IReadOnlyList<BurnRate> rates, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var firing = new List<FiringRule>();
        foreach (var (longWindow, shortWindow, factor, alert) in Rules)
        {
            var threshold = ScaledFactor(factor, period);
            if (Fires(rates, longWindow, shortWindow, threshold))
            {
                firing.Add(new FiringRule(alert, longWindow, RateOf(rates, longWindow), shortWindow, RateOf(rates, shortWindow), threshold));
            }
        }

        return firing;
    }

    private static bool Fires(IReadOnlyList<BurnRate> rates, string longWindow, string shortWindow, double threshold) =>
        RateOf(rates, longWindow) > threshold && RateOf(rates, shortWindow) > threshold;

    private static double RateOf(IReadOnlyList<BurnRate> rates, string window)
    {
        foreach (var rate in rates)
        {
            if (string.Equals(rate.Window, window, StringComparison.Ordinal))
            {
                return rate.Rate;
            }
        }

        return 0;
    }
}

/// <summary>One rule of <see cref="BurnRateAlerting.Rules"/> that fires: both windows' burn rates above the threshold.</summary>
/// <param name="Threshold">The workbook factor scaled to the SLO's period (<see cref="BurnRateAlerting.ScaledFactor"/>).</param>
public sealed record FiringRule(SloAlert Alert, string LongWindow, double LongRate, string ShortWindow, double ShortRate, double Threshold);
