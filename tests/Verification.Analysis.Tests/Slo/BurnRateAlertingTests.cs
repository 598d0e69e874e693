using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class BurnRateAlertingTests
{
    private static readonly TimeSpan ThirtyDays = TimeSpan.FromDays(30);

    private static IReadOnlyList<BurnRate> Rates(string longWindow, double longRate, string shortWindow, double shortRate) =>
        BurnRateWindows.All
            .Select(w => new BurnRate(
                w.Name,
                w.Name == longWindow ? longRate : w.Name == shortWindow ? shortRate : 0))
            .ToList();

    [Theory]
    [InlineData("1h", "5m", 14.4)]
    [InlineData("6h", "30m", 6.0)]
    [InlineData("1d", "2h", 3.0)]
    [InlineData("3d", "6h", 1.0)]
    public void Classify_BothWindowsExactlyAtFactor_None(string longWindow, string shortWindow, double factor)
    {
        // Strictly greater is required: a rate equal to the factor does not alert.
        var sut = Rates(longWindow, factor, shortWindow, factor);

        Assert.Equal(SloAlert.None, BurnRateAlerting.Classify(sut, ThirtyDays));
    }

    [Theory]
    [InlineData("1h", "5m", 14.4, SloAlert.Page)]
    [InlineData("6h", "30m", 6.0, SloAlert.Page)]
    [InlineData("1d", "2h", 3.0, SloAlert.Ticket)]
    [InlineData("3d", "6h", 1.0, SloAlert.Ticket)]
    public void Classify_BothWindowsJustAboveFactor_Alerts(string longWindow, string shortWindow, double factor, SloAlert expected)
    {
        var above = Math.BitIncrement(factor);
        var sut = Rates(longWindow, above, shortWindow, above);

        Assert.Equal(expected, BurnRateAlerting.Classify(sut, ThirtyDays));
    }

    [Theory]
    [InlineData("1h", "5m", 14.4)]
    [InlineData("6h", "30m", 6.0)]
    [InlineData("1d", "2h", 3.0)]
    [InlineData("3d", "6h", 1.0)]
    public void Classify_OnlyLongWindowAbove_None(string longWindow, string shortWindow, double factor)
    {
        // The short window confirms the burn is still going on; without it there is no alert.
        var sut = Rates(longWindow, 100, shortWindow, factor);

        Assert.Equal(SloAlert.None, BurnRateAlerting.Classify(sut, ThirtyDays));
    }

    [Fact]
    public void Classify_PageAndTicketBothMet_Page()
    {
        var sut = BurnRateWindows.All.Select(w => new BurnRate(w.Name, 20)).ToList();

        Assert.Equal(SloAlert.Page, BurnRateAlerting.Classify(sut, ThirtyDays));
    }

    [Fact]
    public void ScaledFactor_TwentyEightDays_ScalesByPeriodOverThirtyDays()
    {
        // 2 % of a 28-day budget in 1 h: 0.02 · 672 h / 1 h = 13.44 = 14.4 · 28 / 30.
        Assert.Equal(13.44, BurnRateAlerting.ScaledFactor(14.4, TimeSpan.FromDays(28)), 12);
        // 10 % of a 7-day budget in 3 d: 0.1 · 168 h / 72 h = 0.2333…
        Assert.Equal(0.1 * 168 / 72, BurnRateAlerting.ScaledFactor(1, TimeSpan.FromDays(7)), 12);
    }

    [Fact]
    public void Classify_TwentyEightDayPeriod_UsesScaledThreshold()
    {
        var period = TimeSpan.FromDays(28);
        var threshold = BurnRateAlerting.ScaledFactor(14.4, period);

        // 14 is below the 30-day factor 14.4 but above the 28-day one, 13.44.
        Assert.Equal(SloAlert.Page, BurnRateAlerting.Classify(Rates("1h", 14, "5m", 14), period));
        Assert.Equal(SloAlert.None, BurnRateAlerting.Classify(Rates("1h", threshold, "5m", threshold), period));
    }
}
