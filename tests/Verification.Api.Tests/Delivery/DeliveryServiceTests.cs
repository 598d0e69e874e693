using Verification.Api.Contracts;
using Verification.Api.Delivery;

namespace Verification.Api.Tests.Delivery;

public sealed class DeliveryServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Deployments(IReadOnlyList<Deployment> all) : IDeploymentDirectory
    {
        public Task<IReadOnlyList<Deployment>> ListAsync(DeploymentFilter filter, int first, string? after, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Deployment>>([.. all
                .Where(d => filter.Service is null || d.Service == filter.Service)
                .Where(d => after is null || string.CompareOrdinal(d.Id, after) > 0)
                .OrderBy(d => d.Id, StringComparer.Ordinal)
                .Take(first)]);
    }

    private sealed class Services(IReadOnlyList<Incident> incidents) : IServiceDirectory
    {
        public Task<IReadOnlyList<string>> ListServicesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(["pay"]);

        public Task<IReadOnlyList<Incident>> ListIncidentsAsync(string? service, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Incident>>([.. incidents.Where(i => service is null || i.Service == service)]);
    }

    private sealed class History(IReadOnlyList<PipelineRun> runs, IReadOnlyDictionary<string, ReleasePolicy> policies) : IDeliveryDirectory
    {
        public Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? service, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<PipelineRun>>([.. runs.Where(r => service is null || r.Service == service)]);

        public Task<IReadOnlyDictionary<string, ReleasePolicy>> ListPoliciesAsync(CancellationToken cancellationToken) => Task.FromResult(policies);
    }

    private static Deployment D(string id, string? team, DeploymentStatus status, double startedDaysAgo, double hours, Verdict? verdict = null,
        bool unplanned = false, string service = "pay") => new(
        id, service, "v", "production", null, Now.AddDays(-startedDaysAgo).AddHours(-24), Now.AddDays(-startedDaysAgo),
        status == DeploymentStatus.Verifying ? null : Now.AddDays(-startedDaysAgo).AddHours(hours), status, [], new AnalysisInput(), [],
        verdict ?? new Verdict(Decision.Pending, "", null, null, []), team, unplanned);

    private static DeliveryService Create(IReadOnlyList<Deployment> deployments, IReadOnlyList<Incident> incidents,
        IReadOnlyList<PipelineRun>? runs = null, IReadOnlyDictionary<string, ReleasePolicy>? policies = null) =>
        new(new Deployments(deployments), new Services(incidents),
            new History(runs ?? [], policies ?? new Dictionary<string, ReleasePolicy>()), new FixedTime());

    [Fact]
    public async Task GetAsync_RollbackVerdictTime_RecoveryMeasuredFromIt()
    {
        // Started 10 days ago, ROLLBACK verdict 1 h in, rolled back 3 h in: recovery 2 h (not 3 h from the start).
        var verdict = new Verdict(Decision.Rollback, "", null, Now.AddDays(-10).AddHours(1), []);
        var sut = Create([D("r", "alpha", DeploymentStatus.RolledBack, 10, 3, verdict)], []);

        var metrics = await sut.GetAsync("pay", null, 30, CancellationToken.None);

        Assert.Equal((1, 1.0, 2.0), (metrics.Deployments, metrics.ChangeFailureRate, metrics.RecoveryTimeHours));
    }

    [Fact]
    public async Task GetAsync_TeamAndRework_FiltersAndCountsFixesAndUnplanned()
    {
        var incident = new Incident("pay-1", "pay", "t", "a", IncidentSource.Manual, null, Now.AddDays(-5), Now.AddDays(-4), "b");
        var sut = Create(
            [
                D("a", "alpha", DeploymentStatus.Promoted, 6, 1),
                D("b", "alpha", DeploymentStatus.Promoted, 4.5, 1),
                D("c", "alpha", DeploymentStatus.Promoted, 3, 1, unplanned: true),
                D("d", "alpha", DeploymentStatus.Promoted, 2, 1),
                D("e", "beta", DeploymentStatus.Promoted, 2, 1, unplanned: true),
            ],
            [incident]);

        var alpha = await sut.GetAsync(null, "alpha", 30, CancellationToken.None);

        // alpha: a … d; rework b (fixed the incident) and c (unplanned) → 2 / 4; a failed (incident) → 1 / 4, recovered in 24 h.
        Assert.Equal(("alpha", 4, 0.5, 0.25, 24.0), (alpha.Team, alpha.Deployments, alpha.ReworkRate, alpha.ChangeFailureRate, alpha.RecoveryTimeHours));
        Assert.Equal(4.0 / 30, alpha.DeploymentFrequencyPerDay);
    }

    [Fact]
    public async Task GetAsync_NoDeployments_UndefinedMetricsNoPerformance()
    {
        var sut = Create([], []);

        var metrics = await sut.GetAsync("pay", null, 7, CancellationToken.None);

        Assert.Equal((0, 0.0), (metrics.Deployments, metrics.DeploymentFrequencyPerDay));
        Assert.Null(metrics.LeadTimeHours);
        Assert.Null(metrics.ChangeFailureRate);
        Assert.Null(metrics.Performance);
        Assert.Equal((Now.AddDays(-7), Now), (metrics.From, metrics.To));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(367)]
    public async Task GetAsync_DaysOutOfRange_InputErrorOnDays(int days)
    {
        var error = await Assert.ThrowsAsync<InputException>(() => Create([], []).GetAsync(null, null, days, CancellationToken.None));

        Assert.Equal("days", error.Field);
    }

    [Fact]
    public async Task WeeklyAsync_TwoWeeks_CurrentWeekAndTheOneBefore()
    {
        // Now is Monday 2026-11-30 12:00 UTC (ISO week 49): rows for week 48 (from Monday 2026-11-23) and week 49 so far;
        // "a" finished Wednesday 2026-11-25 13:00 (week 48).
        var sut = Create([D("a", null, DeploymentStatus.Promoted, 5, 1)], []);

        var weeks = await sut.WeeklyAsync(null, null, 2, CancellationToken.None);

        Assert.Equal([(2026, 48, 1), (2026, 49, 0)], weeks.Select(w => (w.IsoYear, w.IsoWeek, w.Metrics.Deployments)));
        Assert.Equal((new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), Now), (weeks[0].Metrics.From, weeks[1].Metrics.To));
    }

    [Fact]
    public async Task GetAsync_KpisOfATeam_RunsOfItsServicesPolicyWindowAndReferences()
    {
        var full = D("a", "alpha", DeploymentStatus.Promoted, 6, 1) with
        {
            CommitSha = "c1", Artifact = "reg/pay@sha256:" + new string('b', 64), BuildId = "b-1",
        };
        var rollback = new Verdict(Decision.Rollback, "", null, Now.AddDays(-4).AddMinutes(6),
            [new MetricJudgement("errors", Classification.High, true, 0.001, 0.3, 0.1, 0.5, 1000, 1000)]);
        var deployments = new[]
        {
            full,
            D("b", "alpha", DeploymentStatus.RolledBack, 4, 1, rollback),
            D("c", "beta", DeploymentStatus.Promoted, 3, 1, service: "shop"),
        };
        // 90 min after a's promotion: inside pay's 120-minute window (outside the default 60).
        var page = new Incident("pay-1", "pay", "t", "a", IncidentSource.SloPage, "availability", full.FinishedAt!.Value.AddMinutes(90), null, null);
        var runs = new[]
        {
            new PipelineRun("pay", "ci", "1", PipelineKind.Build, PipelineStatus.Succeeded, null, Now.AddDays(-5), "c1", null, 1, "ci/1/1"),
            new PipelineRun("pay", "scan", "2", PipelineKind.Security, PipelineStatus.Failed, null, Now.AddDays(-5), "c1", null, 1, "scan/2/1"),
            new PipelineRun("shop", "ci", "3", PipelineKind.Build, PipelineStatus.Failed, null, Now.AddDays(-5), "c9", null, 1, "ci/3/1"),
        };
        var sut = Create(deployments, [page], runs, new Dictionary<string, ReleasePolicy> { ["pay"] = new(IncidentWindowMinutes: 120) });

        var alpha = await sut.GetAsync(null, "alpha", 30, CancellationToken.None);
        var overall = await sut.GetAsync(null, null, 30, CancellationToken.None);

        Assert.Equal((2, 0.5, 1.0), (alpha.PipelineRuns, alpha.PipelineSuccessRate, alpha.SecurityGateFailureRate));
        Assert.Equal((6.0, 6.0, 90.0), (alpha.TimeToDetectMinutes, alpha.TimeToDetectP90Minutes, alpha.TimeToDetectPageMinutes));
        // D registers every commit 24 h before the start: a's lead time is 25 h.
        Assert.Equal((0.5, 1.0, 25.0), (alpha.ProvenanceCoverage, alpha.PagesPerRelease, alpha.LeadTimeP50Hours));
        Assert.Equal([new CanaryDelta("errors", 1, 0.3, 0.3)], alpha.CanaryDeltas);
        Assert.Equal((3, 1.0 / 3, 1.0 / 3), (overall.PipelineRuns, overall.PipelineSuccessRate, overall.ProvenanceCoverage));
        // DORA's own: a (its page is an incident) and b failed → 1.0; b recovered 54 min after its ROLLBACK verdict.
        Assert.Equal(
            [
                ("M1", 25.0, true), ("M2", 1.0 / 30, false), ("M3", 1.0, false), ("M4", 0.9, true), ("M5", 0.5, false), ("M6", 6.0, true),
                ("M7", 0.5, false), ("M8", 0.3, false), ("M9", 1.0, false), ("M10", 1.0, false),
            ],
            alpha.Kpis.Select(k => (k.Id, k.Value, k.Met)));
        Assert.Equal(("≥ 90 %", 0.9, KpiComparison.AtLeast), (alpha.Kpis[4].Target, alpha.Kpis[4].Reference, alpha.Kpis[4].Comparison));
    }

    [Fact]
    public async Task WeeklyAsync_RunsInDifferentWeeks_EachWeekCountsItsOwn()
    {
        // Now is Monday 2026-11-30 12:00 (ISO week 49); one run on Friday of week 48, two on Monday of week 49.
        var runs = new[]
        {
            new PipelineRun("pay", "ci", "1", PipelineKind.Build, PipelineStatus.Failed, null, Now.AddDays(-3), null, null, 1, "ci/1/1"),
            new PipelineRun("pay", "ci", "2", PipelineKind.Build, PipelineStatus.Succeeded, null, Now.AddHours(-2), null, null, 1, "ci/2/1"),
            new PipelineRun("pay", "ci", "3", PipelineKind.Build, PipelineStatus.Succeeded, null, Now, null, null, 1, "ci/3/1"),
        };
        var sut = Create([], [], runs);

        var weeks = await sut.WeeklyAsync("pay", null, 2, CancellationToken.None);

        Assert.Equal([(48, 1, 0.0), (49, 2, 1.0)], weeks.Select(w => (w.IsoWeek, w.Metrics.PipelineRuns, w.Metrics.PipelineSuccessRate!.Value)));
    }
}
