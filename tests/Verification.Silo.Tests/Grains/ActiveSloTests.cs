using Verification.Analysis.Slo;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

public sealed class ActiveSloTests
{
    [Fact]
    public void WindowText_RollingAndCalendar_OpenSloShorthand()
    {
        Assert.Equal("28d rolling", ActiveSlo.WindowText(new RollingWindow(TimeSpan.FromDays(28))));
        Assert.Equal("6h rolling", ActiveSlo.WindowText(new RollingWindow(TimeSpan.FromHours(6))));
        Assert.Equal("90m rolling", ActiveSlo.WindowText(new RollingWindow(TimeSpan.FromMinutes(90))));
        Assert.Equal("1M calendar from 2026-01-01 00:00:00 Europe/Berlin",
            ActiveSlo.WindowText(new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 1), "Europe/Berlin")));
    }

    [Fact]
    public async Task ToContract_TwoObjectives_HeadlineFromTheOneWithTheHighestAlert()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        var yaml = ServiceGrainTests.Yaml().Replace(
            "    - displayName: Good\n      target: 0.9375",
            "    - displayName: Loose\n      target: 0.75\n    - displayName: Strict\n      target: 0.9375",
            StringComparison.Ordinal);
        await sut.ApplySlosAsync(yaml, CancellationToken.None);

        // 20 bad of 160. Loose (budget 1/4): consumed 20 / 40 = 0.5, burn rate 0.5 → NONE.
        // Strict (budget 1/16): consumed 20 / 10 = 2, burn rate 2 (above the 3 d / 6 h factor 1) → TICKET.
        await sut.RecordEventsAsync([ServiceGrainTests.Events(140, 160)], CancellationToken.None);
        var slo = Assert.Single((await sut.GetAsync(CancellationToken.None))!.Slos);

        Assert.Equal((0.9375, -1.0, AlertLevel.Ticket), (slo.Target, slo.BudgetRemaining, slo.Alert));
        Assert.Equal(
            [("Loose", 0.75, 0.5, AlertLevel.None), ("Strict", 0.9375, -1.0, AlertLevel.Ticket)],
            slo.Objectives.Select(o => (o.DisplayName, o.Target, o.BudgetRemaining, o.Alert)));
        Assert.Equal(2.0, slo.BurnRates[0].Rate);
    }
}
