using Verification.Analysis.Dora;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Delivery;

/// <summary>
/// DORA delivery metrics (GraphQL <c>delivery(service, team, days)</c>, <c>GET /v1/delivery</c>) computed by
/// <see cref="DoraCalculator"/> from the stored deployments and the services' incidents.
/// </summary>
/// <remarks>
/// Mapping to DORA: a deployment is a failed change when it was rolled back or an incident names it; recovery of a
/// rollback is measured from its ROLLBACK verdict's <c>decidedAt</c> (the failure detected), else from its start.
/// Rework: deployments registered <c>unplanned: true</c>, or named as <c>fixedByDeploymentId</c> when an incident
/// was resolved. Team: <c>RegisterDeploymentInput.team</c>.
/// </remarks>
/// <para>KPIs beyond DORA (<see cref="DeliveryKpiCalculator"/>): pipeline runs from <see cref="IDeliveryDirectory"/> (with a team
/// filter: the runs of the services that team's deployments belong to), pages from the incidents, each service's incident
/// window from its release policy. <see cref="GetKpisAsync"/> is the one method to read every KPI from (for exporters).</para>
public sealed class DeliveryService(IDeploymentDirectory deployments, IServiceDirectory services, IDeliveryDirectory history, TimeProvider time)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;
    public const int MaxWeeks = 104;

    // The directory hands out at most this many per page.
    private const int PageSize = 1000;

    /// <summary>GraphQL <c>delivery(service, team, days)</c>: the metrics over the last <paramref name="days"/> days up to now.</summary>
    public async Task<DeliveryMetrics> GetAsync(string? service, string? team, int days, CancellationToken cancellationToken)
    {
        Validate(service, team);
        if (days is < 1 or > MaxDays)
        {
            throw new InputException("days", $"must be between 1 and {MaxDays}, got {days}");
        }

        var loaded = await LoadAsync(service, team, cancellationToken).ConfigureAwait(false);
        var dora = DoraCalculator.Compute(loaded.Dora, loaded.Incidents, time.GetUtcNow(), days);
        return Map(service, team, dora, loaded.Kpis(dora, includeEnd: true));
    }

    /// <summary>
    /// M1–M10 over the last <paramref name="days"/> days with their reference levels: every KPI value from one call, for
    /// exporters (e.g. a Prometheus gauge per <see cref="Kpi.Id"/> labelled by service or team).
    /// </summary>
    public async Task<IReadOnlyList<Kpi>> GetKpisAsync(string? service, string? team, int days, CancellationToken cancellationToken) =>
        (await GetAsync(service, team, days, cancellationToken).ConfigureAwait(false)).Kpis;

    /// <summary>Weekly rows (ISO weeks, Monday 00:00 UTC) over [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public async Task<IReadOnlyList<DeliveryWeek>> WeeklyAsync(
        string? service, string? team, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        Validate(service, team);
        if (to <= from)
        {
            throw new InputException("to", $"must be after from ({to:O} <= {from:O})");
        }

        if (to - from > TimeSpan.FromDays(7 * MaxWeeks))
        {
            throw new InputException("from", $"the range is at most {MaxWeeks} weeks");
        }

        var loaded = await LoadAsync(service, team, cancellationToken).ConfigureAwait(false);
        var weeks = DoraCalculator.Weekly(loaded.Dora, loaded.Incidents, from, to);
        return [.. weeks.Select((w, i) =>
            new DeliveryWeek(w.IsoYear, w.IsoWeek, Map(service, team, w.Metrics, loaded.Kpis(w.Metrics, includeEnd: i == weeks.Count - 1))))];
    }

    /// <summary>The current ISO week up to now and the <paramref name="weeks"/> − 1 whole weeks before it.</summary>
    public Task<IReadOnlyList<DeliveryWeek>> WeeklyAsync(string? service, string? team, int weeks, CancellationToken cancellationToken)
    {
        if (weeks is < 1 or > MaxWeeks)
        {
            throw new InputException("weeks", $"must be between 1 and {MaxWeeks}, got {weeks}");
        }

        var now = time.GetUtcNow();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var from = monday.AddDays(-7 * (weeks - 1));
        // Exactly Monday 00:00: the current week has not begun, so it is the week before that ends now.
        return WeeklyAsync(service, team, from < now ? from : from.AddDays(-7), now, cancellationToken);
    }

    private static void Validate(string? service, string? team)
    {
        if (service is not null)
        {
            DeploymentValidation.Text("service", service);
        }

        if (team is not null)
        {
            DeploymentValidation.Text("team", team);
        }
    }

    private async Task<History> LoadAsync(string? service, string? team, CancellationToken cancellationToken)
    {
        // A token limited to services sees the metrics of those only (a filter outside its list is refused).
        var caller = CallerContext.Current;
        if (service is not null)
        {
            caller.DemandService(service);
        }

        var incidents = (await services.ListIncidentsAsync(service, cancellationToken).ConfigureAwait(false)).Where(i => caller.MayAccess(i.Service)).ToList();
        var policies = await history.ListPoliciesAsync(cancellationToken).ConfigureAwait(false);
        var fixes = incidents.Select(i => i.FixedByDeploymentId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var records = new List<DoraDeployment>();
        var kpiRecords = new List<KpiDeployment>();
        string? after = null;
        while (true)
        {
            var page = await deployments.ListAsync(new DeploymentFilter(Service: service), PageSize, after, cancellationToken).ConfigureAwait(false);
            foreach (var d in page.Where(d => (team is null || d.Team == team) && caller.MayAccess(d.Service)))
            {
                var dora = ToDora(d, fixes);
                records.Add(dora);
                var window = TimeSpan.FromMinutes(policies.TryGetValue(d.Service, out var policy)
                    ? policy.IncidentWindowMinutes
                    : ReleasePolicy.DefaultIncidentWindowMinutes);
                kpiRecords.Add(new KpiDeployment(dora, d.ProvenanceMissing.Count == 0,
                    [.. d.Verdict.Metrics.Where(m => m.Effect is not null).Select(m => new MetricEffect(m.Metric, m.Effect!.Value))], window));
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Id;
        }

        var runs = await history.ListRunsAsync(service, cancellationToken).ConfigureAwait(false);
        var teamServices = team is null ? null : records.Select(r => r.Service).ToHashSet(StringComparer.Ordinal);
        return new History(
            records,
            [.. incidents.Select(i => new DoraIncident(i.Id, i.Service, i.DeploymentId, i.OpenedAt, i.ResolvedAt))],
            kpiRecords,
            // KpiRunKind and KpiRunOutcome mirror PipelineKind and PipelineStatus member for member (analysis references nothing of ours).
            [.. runs.Where(r => caller.MayAccess(r.Service) && (teamServices is null || teamServices.Contains(r.Service))).Select(r => new KpiRun(
                r.Service, r.Pipeline, (KpiRunKind)r.Kind, (KpiRunOutcome)r.Status, r.FinishedAt, r.CommitSha))],
            [.. incidents.Select(i => new KpiPage(i.DeploymentId, i.OpenedAt, i.Source == IncidentSource.SloPage))]);
    }

    /// <summary>Everything the metrics are computed from, loaded once per request.</summary>
    private sealed record History(
        List<DoraDeployment> Dora, IReadOnlyList<DoraIncident> Incidents, List<KpiDeployment> Deployments, List<KpiRun> Runs, List<KpiPage> Pages)
    {
        public DeliveryKpis Kpis(DoraMetrics window, bool includeEnd) =>
            DeliveryKpiCalculator.Compute(Runs, Deployments, Pages, window.From, window.To, includeEnd);
    }

    private static DoraDeployment ToDora(Deployment d, HashSet<string> fixes) => new(
        d.Id,
        d.Service,
        d.Team,
        d.Environment,
        d.StartedAt,
        d.FinishedAt,
        d.Status switch
        {
            DeploymentStatus.Promoted => DoraDeploymentStatus.Promoted,
            DeploymentStatus.RolledBack => DoraDeploymentStatus.RolledBack,
            DeploymentStatus.Aborted => DoraDeploymentStatus.Aborted,
            _ => DoraDeploymentStatus.Verifying,
        },
        d.CommitTime,
        d.Unplanned || fixes.Contains(d.Id),
        [],
        d.Verdict.Decision == Decision.Rollback ? d.Verdict.DecidedAt : null,
        d.Override is not null);

    private static DeliveryMetrics Map(string? service, string? team, DoraMetrics m, DeliveryKpis k) => new(
        service,
        team,
        m.From,
        m.To,
        m.Deployments,
        m.DeploymentFrequencyPerDay,
        m.LeadTimeHours,
        m.LeadTimeP90Hours,
        m.ChangeFailureRate,
        m.RecoveryTimeHours,
        m.ReworkRate,
        new DeliveryLevels(Map(m.Levels.DeploymentFrequency), Map(m.Levels.LeadTime), Map(m.Levels.ChangeFailureRate), Map(m.Levels.RecoveryTime)),
        Map(m.Performance),
        m.Overrides,
        k.PipelineRuns,
        k.PipelineSuccessRate,
        k.FlakyRuns,
        k.SecurityGateFailureRate,
        k.TimeToDetectMinutes,
        k.TimeToDetectP90Minutes,
        k.TimeToDetectPageMinutes,
        k.ProvenanceCoverage,
        k.PagesPerRelease,
        k.LeadTimeP50Hours,
        [.. k.LeadTimeHistogram.Select(b => new Contracts.LeadTimeBucket(b.UpToHours, b.Count))],
        [.. k.CanaryDeltas.Select(d => new CanaryDelta(d.Metric, d.Deployments, d.MedianEffect, d.P90Effect))]);

    private static DeliveryPerformance? Map(PerformanceLevel? level) => level switch
    {
        PerformanceLevel.Elite => DeliveryPerformance.Elite,
        PerformanceLevel.High => DeliveryPerformance.High,
        PerformanceLevel.Medium => DeliveryPerformance.Medium,
        PerformanceLevel.Low => DeliveryPerformance.Low,
        _ => null,
    };
}
