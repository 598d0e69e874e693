using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

/// <summary>The judge as the grain runs it: verdicts on ingest and on read, stored, latched and published.</summary>
public sealed class DeploymentVerdictTests
{
    private static RegisterDeploymentInput Input(int? minSeconds = null, int? maxSeconds = null) => new(
        "v1", "checkout", "v2",
        [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)],
        Analysis: new AnalysisInput(MinDurationSeconds: minSeconds, MaxDurationSeconds: maxSeconds));

    private static SamplesInput Errors(Cohort cohort, long count, long total) => new("v1", cohort, "errors", Count: count, Total: total);

    [Fact]
    public async Task RecordAsync_ZeroErrorBaselineCanaryErrors_RollbackStoredAndPublished()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var published = fixture.Feed.SubscribeAsync("v1", cts.Token).GetAsyncEnumerator(cts.Token);
        var next = published.MoveNextAsync();

        var result = await sut.RecordAsync([Errors(Cohort.Baseline, 0, 10_000), Errors(Cohort.Canary, 20, 10_000)], CancellationToken.None);

        Assert.Equal(Decision.Rollback, result.Verdict.Decision);
        Assert.Equal(fixture.Time.GetUtcNow(), result.Verdict.DecidedAt);
        Assert.Contains("errors", result.Verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(Classification.High, Assert.Single(result.Verdict.Metrics).Classification);
        Assert.True(await next);
        Assert.Equal(Decision.Rollback, published.Current.Decision);
    }

    [Fact]
    public async Task RecordAsync_AfterRollback_DecisionIsLatched()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        var rollback = await sut.RecordAsync([Errors(Cohort.Baseline, 0, 10_000), Errors(Cohort.Canary, 20, 10_000)], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));

        // Plenty of clean canary traffic afterwards does not undo a decision the CD tool may have acted on.
        var later = await sut.RecordAsync([Errors(Cohort.Baseline, 0, 1_000_000), Errors(Cohort.Canary, 0, 1_000_000)], CancellationToken.None);

        Assert.Equal(rollback.Verdict.Reason, later.Verdict.Reason);
        Assert.Equal((rollback.Verdict.Decision, rollback.Verdict.DecidedAt), (later.Verdict.Decision, later.Verdict.DecidedAt));
    }

    [Fact]
    public async Task GetAsync_HealthyCanaryAfterMinDuration_Promotes()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(minSeconds: 600), CancellationToken.None);
        var early = await sut.RecordAsync([Errors(Cohort.Baseline, 20_000, 2_000_000), Errors(Cohort.Canary, 20_000, 2_000_000)], CancellationToken.None);

        fixture.Time.Advance(TimeSpan.FromSeconds(601));
        var later = await sut.GetAsync(CancellationToken.None);

        Assert.Equal(Decision.Pending, early.Verdict.Decision);
        Assert.True(later!.Verdict.Decision == Decision.Promote, later.Verdict.Reason);
        Assert.Equal(fixture.Time.GetUtcNow(), later.Verdict.DecidedAt);
    }

    /// <summary>The same data as the analysis library's CanaryAnalysisTests: 300 errors in 30,000 requests per cohort are shown
    /// within +50 % but not within the default 10 %.</summary>
    [Theory]
    [InlineData(0.5, Decision.Promote)]
    [InlineData(null, Decision.Pending)]
    public async Task RecordAsync_PromotionMargin_PassedToTheJudge(double? margin, Decision decision)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input() with { Metrics = [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true, PromotionMargin: margin)] },
            CancellationToken.None);

        var result = await sut.RecordAsync([Errors(Cohort.Baseline, 300, 30_000), Errors(Cohort.Canary, 300, 30_000)], CancellationToken.None);

        Assert.True(result.Verdict.Decision == decision, result.Verdict.Reason);
        Assert.Equal(Classification.Pass, Assert.Single(result.Verdict.Metrics).Classification);
    }

    [Fact]
    public async Task GetAsync_WindowClosedWithoutData_Inconclusive()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(maxSeconds: 300), CancellationToken.None);

        fixture.Time.Advance(TimeSpan.FromSeconds(301));
        var d = await sut.GetAsync(CancellationToken.None);

        Assert.Equal(Decision.Inconclusive, d!.Verdict.Decision);
        Assert.Equal(Classification.Nodata, Assert.Single(d.Verdict.Metrics).Classification);
    }

    [Fact]
    public async Task GetAsync_AfterDeactivation_SameVerdictFromStoredSamples()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        var before = await sut.RecordAsync([Errors(Cohort.Baseline, 5, 10_000), Errors(Cohort.Canary, 6, 10_000)], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await fixture.DeactivateAllAsync());

        var after = await sut.GetAsync(CancellationToken.None);
        var more = await sut.RecordAsync([Errors(Cohort.Canary, 0, 1)], CancellationToken.None);

        Assert.Equal(Decision.Pending, before.Verdict.Decision);
        Assert.Equal((before.Verdict.Decision, before.Verdict.Reason, before.Verdict.Score), (after!.Verdict.Decision, after.Verdict.Reason, after.Verdict.Score));
        Assert.Equal(before.Verdict.Metrics, after.Verdict.Metrics);
        Assert.Equal(10_001, more.Verdict.Metrics[0].CanaryCount);
    }

    [Fact]
    public async Task CompleteAsync_Then_VerdictNoLongerChanges()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(maxSeconds: 60), CancellationToken.None);
        await sut.CompleteAsync(DeploymentStatus.Aborted, CancellationToken.None);

        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        var d = await sut.GetAsync(CancellationToken.None);

        Assert.Equal(Decision.Pending, d!.Verdict.Decision);
    }

    [Fact]
    public async Task ReportSourceAsync_FailingSource_HoldsPromotionUntilItRecovers()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(minSeconds: 600), CancellationToken.None);
        await sut.RecordAsync([Errors(Cohort.Baseline, 20_000, 2_000_000), Errors(Cohort.Canary, 20_000, 2_000_000)], CancellationToken.None);
        await sut.ReportSourceAsync("errors", "canary query: bad_data: parse error", CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(601));

        var failing = (await sut.GetAsync(CancellationToken.None))!.Verdict;
        var recovered = await sut.ReportSourceAsync("errors", null, CancellationToken.None);

        Assert.Equal(Decision.Pending, failing.Decision);
        Assert.Contains("source of metric 'errors' fails now (canary query: bad_data: parse error)", failing.Reason, StringComparison.Ordinal);
        Assert.Equal(Classification.Error, Assert.Single(failing.Metrics).Classification);
        Assert.Equal(Decision.Promote, recovered.Decision);
    }

    [Fact]
    public async Task ReportSourceAsync_FailingSourceAfterRollback_RollbackStands()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("v1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        await sut.RecordAsync([Errors(Cohort.Baseline, 0, 10_000), Errors(Cohort.Canary, 20, 10_000)], CancellationToken.None);

        var verdict = await sut.ReportSourceAsync("errors", "timeout", CancellationToken.None);

        Assert.Equal(Decision.Rollback, verdict.Decision);
        await Assert.ThrowsAsync<InputException>(() => sut.ReportSourceAsync("nope", "x", CancellationToken.None));
    }
}
