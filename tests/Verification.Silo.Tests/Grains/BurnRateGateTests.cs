using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;
using static Verification.Silo.Tests.Grains.ServiceGrainTests;

namespace Verification.Silo.Tests.Grains;

/// <summary>The release policy's <c>maxBurnRate</c>: promotions pause while an SLO burns faster than the limit over its window.</summary>
public sealed class BurnRateGateTests
{
    /// <summary>10 bad of 160 against budget 1/16: burn rate exactly 1 in every window, budget remaining 0, alert NONE.</summary>
    private static async Task<IServiceGrain> BurningAtOneAsync(RuntimeFixture fixture, BurnRateLimit limit)
    {
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        await sut.RecordEventsAsync([Events(150, 160)], CancellationToken.None);
        await sut.SetPolicyAsync(new ReleasePolicy(MinBudgetRemaining: -0.5, MaxBurnRate: limit), CancellationToken.None);
        return sut;
    }

    [Fact]
    public async Task CheckReleaseAsync_BurnRateAboveLimit_BlocksNamingWindowAndRate()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = await BurningAtOneAsync(fixture, new BurnRateLimit("1h", 0.5));

        var gate = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        Assert.Equal((false, "availability", AlertLevel.None), (gate.Allowed, gate.Slo, gate.Alert));
        Assert.Equal("SLO 'availability' of service 'checkout' blocks promotion: its 1h burn rate is 1, above the policy's maxBurnRate of 0.5 over 1h.",
            gate.Reason);
    }

    [Fact]
    public async Task CheckReleaseAsync_BurnRateAtLimit_Allowed()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = await BurningAtOneAsync(fixture, new BurnRateLimit("6h", 1));

        var gate = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        Assert.Equal((true, "No SLO of service 'checkout' blocks promotion."), (gate.Allowed, gate.Reason));
    }

    [Fact]
    public async Task CheckReleaseAsync_BurnRateFallsBelowLimit_ReleasedOnceTheWindowPasses()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = await BurningAtOneAsync(fixture, new BurnRateLimit("5m", 0.5));
        var blocked = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        // Six minutes on, with only good events since: nothing bad left in the 5 m window.
        fixture.Time.Advance(TimeSpan.FromMinutes(6));
        await sut.RecordEventsAsync([Events(100, 100)], CancellationToken.None);
        var released = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        Assert.Equal((false, true), (blocked.Allowed, released.Allowed));
    }

    [Theory]
    [InlineData("2m", 2.0, "maxBurnRate.window")]
    [InlineData("1h", 0.0, "maxBurnRate.rate")]
    [InlineData("1h", double.NaN, "maxBurnRate.rate")]
    public async Task SetPolicyAsync_BadLimit_InputErrorOnField(string window, double rate, string field)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");

        var error = await Assert.ThrowsAsync<InputException>(() =>
            sut.SetPolicyAsync(new ReleasePolicy(MaxBurnRate: new BurnRateLimit(window, rate)), CancellationToken.None));

        Assert.Equal(field, error.Field);
    }
}
