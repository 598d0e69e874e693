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
}
