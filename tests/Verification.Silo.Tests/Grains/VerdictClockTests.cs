using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

public sealed class VerdictClockTests
{
    private static RegisterDeploymentInput Input(string id, int? minSeconds = null, int? maxSeconds = null) => new(
        id, "checkout", "v2", [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)],
        Analysis: new AnalysisInput(MinDurationSeconds: minSeconds, MaxDurationSeconds: maxSeconds));

    private static VerdictClock Clock(RuntimeFixture fixture) => new(
        new DeploymentDirectory(fixture.Storage), fixture.Sut, fixture.Time,
        Options.Create(new VerdictClockOptions { ClockSeconds = 15 }), NullLogger<VerdictClock>.Instance);

    [Fact]
    public async Task TickAsync_WindowClosedWithoutReads_StoresAndPushesInconclusiveOnce()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Sut.GetGrain<IDeploymentGrain>("w1").RegisterAsync(Input("w1", maxSeconds: 60), CancellationToken.None);
        await fixture.Sut.GetGrain<IDeploymentGrain>("idle").RegisterAsync(Input("idle"), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var pushed = fixture.Feed.SubscribeAsync("w1", cts.Token).GetAsyncEnumerator(cts.Token);
        var next = pushed.MoveNextAsync();
        var sut = Clock(fixture);

        var early = await sut.TickAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(61));
        var due = await sut.TickAsync(CancellationToken.None);
        var after = await sut.TickAsync(CancellationToken.None);

        Assert.Equal((0, 1, 0), (early, due, after));
        Assert.True(await next);
        Assert.Equal(Decision.Inconclusive, pushed.Current.Decision);
        var stored = await new DeploymentDirectory(fixture.Storage).ListAsync(new DeploymentFilter(), 10, null, CancellationToken.None);
        Assert.Equal(Decision.Inconclusive, stored.Single(d => d.Id == "w1").Verdict.Decision);
    }

    [Theory]
    [InlineData(299, false)]
    [InlineData(300, true)]
    [InlineData(329, true)]
    [InlineData(330, false)]
    public async Task Due_MinimumDuration_OnlyWithinTwoTicksAfterItPasses(int elapsedSeconds, bool expected)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var registered = await fixture.Sut.GetGrain<IDeploymentGrain>("m1").RegisterAsync(Input("m1", minSeconds: 300), CancellationToken.None);

        var due = VerdictClock.Due(registered.Deployment, registered.Deployment.StartedAt.AddSeconds(elapsedSeconds), TimeSpan.FromSeconds(30));

        Assert.Equal(expected, due);
    }
}
