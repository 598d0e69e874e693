using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;
using static Verification.Silo.Tests.Grains.ServiceGrainTests;

namespace Verification.Silo.Tests.Grains;

/// <summary>The budget gate as the deployment grain consults it: a PROMOTE of the judge waits while the service's SLOs block.</summary>
public sealed class DeploymentGateTests
{
    private static RegisterDeploymentInput Input(int? maxSeconds = null) => new(
        "v1", "checkout", "v2",
        [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)],
        Analysis: new AnalysisInput(MinDurationSeconds: 600, MaxDurationSeconds: maxSeconds));

    private static SamplesInput Errors(Cohort cohort, long count, long total) => new("v1", cohort, "errors", Count: count, Total: total);

    /// <summary>A healthy canary after its minimum duration: the judge promotes (as in DeploymentVerdictTests).</summary>
    private static async Task<IDeploymentGrain> HealthyCanaryAsync(RuntimeFixture fixture, int? maxSeconds = null)
    {
        var deployment = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await deployment.RegisterAsync(Input(maxSeconds), CancellationToken.None);
        await deployment.RecordAsync([Errors(Cohort.Baseline, 20_000, 2_000_000), Errors(Cohort.Canary, 20_000, 2_000_000)], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(601));
        return deployment;
    }

    private static async Task<IServiceGrain> SpentBudgetAsync(RuntimeFixture fixture)
    {
        var service = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await service.ApplySlosAsync(Yaml(), CancellationToken.None);
        // 20 bad of 160: budget remaining −1.
        await service.RecordEventsAsync([Events(140, 160)], CancellationToken.None);
        return service;
    }

    [Fact]
    public async Task GetAsync_NoSlos_PromotesWithGateAllowed()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = await HealthyCanaryAsync(fixture);

        var verdict = (await sut.GetAsync(CancellationToken.None))!.Verdict;

        Assert.Equal(Decision.Promote, verdict.Decision);
        Assert.Equal((true, "Service 'checkout' has no SLOs; nothing blocks promotion."), (verdict.Gate!.Allowed, verdict.Gate.Reason));
    }

    [Fact]
    public async Task GetAsync_BudgetSpentThenRecovered_PendingThenPromoted()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var service = await SpentBudgetAsync(fixture);
        var sut = await HealthyCanaryAsync(fixture);

        var held = (await sut.GetAsync(CancellationToken.None))!.Verdict;
        // 480 more good events: consumed = 20 / (640 / 16) = 0.5, burn rate 0.5: nothing blocks.
        await service.RecordEventsAsync([Events(480, 480)], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        var released = (await sut.GetAsync(CancellationToken.None))!.Verdict;

        Assert.Equal(Decision.Pending, held.Decision);
        Assert.Null(held.DecidedAt);
        Assert.Equal(
            "The canary passed; promotion waits for the budget gate. SLO 'availability' of service 'checkout' blocks promotion: "
            + "its error budget remaining is -100.0 % (the policy needs more than 0.0 %).",
            held.Reason);
        Assert.Equal((false, "availability", -1.0), (held.Gate!.Allowed, held.Gate.Slo, held.Gate.BudgetRemaining));
        Assert.Equal(Decision.Promote, released.Decision);
        Assert.Equal(fixture.Time.GetUtcNow(), released.DecidedAt);
        Assert.True(released.Gate!.Allowed);
    }

    [Fact]
    public async Task GetAsync_BlockedUntilWindowCloses_Inconclusive()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await SpentBudgetAsync(fixture);
        var sut = await HealthyCanaryAsync(fixture, maxSeconds: 1200);
        await sut.GetAsync(CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(600));

        var verdict = (await sut.GetAsync(CancellationToken.None))!.Verdict;

        Assert.Equal(Decision.Inconclusive, verdict.Decision);
        Assert.Equal(fixture.Time.GetUtcNow(), verdict.DecidedAt);
        Assert.StartsWith("The canary passed, but the analysis window closed while the budget gate blocked promotion. SLO 'availability'",
            verdict.Reason, StringComparison.Ordinal);
        Assert.False(verdict.Gate!.Allowed);
    }

    [Fact]
    public async Task CompleteAsync_PromotedThenSloPages_IncidentLinkedToDeployment()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var service = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await service.ApplySlosAsync(Yaml(), CancellationToken.None);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        await sut.CompleteAsync(DeploymentStatus.Promoted, CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        await service.RecordEventsAsync([Events(0, 100)], CancellationToken.None);

        var incident = Assert.Single((await service.GetAsync(CancellationToken.None))!.Incidents);
        Assert.Equal(("checkout-1", "v1", IncidentSource.SloPage), (incident.Id, incident.DeploymentId, incident.Source));
    }
}
