using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Slo;
using L = Verification.Silo.Telemetry.MetricLabels;
using SloState = Verification.Api.Contracts.Slo;

namespace Verification.Silo.Telemetry;

/// <summary>
/// The product's own series on <c>/metrics</c>, read from storage at scrape time (README, "Metrics"): deployments
/// active and completed, SLO objectives, error budgets, burn rates and alerts, and the DORA delivery metrics over the
/// last <see cref="DeliveryService.DefaultDays"/> days per service, per team (no <c>service</c> label) and overall
/// (neither label). Computed from what every silo reads alike, so they agree across silos and survive restarts.
/// </summary>
internal sealed class DomainMetrics
{
    private static readonly string[] Severities = ["page", "ticket"];

    private readonly IDeploymentDirectory _deployments;
    private readonly SloService _slos;
    private readonly DeliveryService _delivery;
    private Snapshot _snapshot = new([], [], []);

    public DomainMetrics(ScrapeGauges gauges, IDeploymentDirectory deployments, SloService slos, DeliveryService delivery)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        _deployments = deployments;
        _slos = slos;
        _delivery = delivery;
        gauges.BeforeRefresh(async ct => _snapshot = await LoadAsync(ct).ConfigureAwait(false));

        gauges.Gauge("verification_deployments_active", "Deployments being verified now, by their current decision.",
            [L.Service, L.Team, L.Environment, L.Decision], ct => Read(s => s.Deployments
                .Where(d => d.Status == DeploymentStatus.Verifying)
                .GroupBy(d => (d.Service, Team: d.Team ?? "", d.Environment, Decision: Upper(d.Verdict.Decision)))
                .Select(g => Reading.Of(g.Count(), g.Key.Service, g.Key.Team, g.Key.Environment, g.Key.Decision))));
        gauges.Counter("verification_deployments_completed_total", "Deployments completed (PROMOTED, ROLLED_BACK, ABORTED) of those stored.",
            [L.Service, L.Team, L.Environment, L.Status], ct => Read(s => s.Deployments
                .Where(d => d.Status != DeploymentStatus.Verifying)
                .GroupBy(d => (d.Service, Team: d.Team ?? "", d.Environment, Status: Upper(d.Status)))
                .Select(g => Reading.Of(g.Count(), g.Key.Service, g.Key.Team, g.Key.Environment, g.Key.Status))));

        SloGauge(gauges, "verification_slo_objective_ratio", "The SLO's target (governing objective), e.g. 0.999.", slo => slo.Target);
        SloGauge(gauges, "verification_slo_error_budget_remaining_ratio",
            "Error budget left over the SLO period: 1 untouched, 0 spent, negative overspent.", slo => slo.BudgetRemaining);
        SloGauge(gauges, "verification_slo_time_to_exhaustion_hours",
            "Hours until the budget is spent if the 1h burn rate holds; absent when not burning.", slo => slo.TimeToExhaustionHours);
        gauges.Gauge("verification_slo_burn_rate", "Error ratio over the window divided by the allowed error ratio (1 - target).",
            [L.Service, L.Team, L.Slo, L.Window], ct => Read(s => s.Slos.SelectMany(x => x.Slo.BurnRates
                .Select(b => Reading.Of(b.Rate, x.Slo.Service, x.Team, x.Slo.Name, b.Window)))));
        gauges.Gauge("verification_slo_alert", "1 while the SLO's multi-window burn-rate alert of this severity fires, else 0.",
            [L.Service, L.Team, L.Slo, L.Severity], ct => Read(s => s.Slos.SelectMany(x => Severities
                .Select(severity => Reading.Of(x.Slo.Alert.ToString().Equals(severity, StringComparison.OrdinalIgnoreCase) ? 1 : 0,
                    x.Slo.Service, x.Team, x.Slo.Name, severity)))));

        DeliveryGauge(gauges, "verification_delivery_deployments", "Deployments started in the DORA window (30 days).", m => m.Deployments);
        DeliveryGauge(gauges, "verification_delivery_deployment_frequency_per_day", "DORA deployment frequency: deployments per day.",
            m => m.DeploymentFrequencyPerDay);
        DeliveryGauge(gauges, "verification_delivery_lead_time_hours", "DORA change lead time: median hours from commit to deployment.",
            m => m.LeadTimeHours);
        DeliveryGauge(gauges, "verification_delivery_change_failure_ratio", "DORA change failure rate: failed deployments / deployments.",
            m => m.ChangeFailureRate);
        DeliveryGauge(gauges, "verification_delivery_recovery_time_hours", "DORA failed deployment recovery time: median hours.",
            m => m.RecoveryTimeHours);
        DeliveryGauge(gauges, "verification_delivery_rework_ratio", "DORA rework rate: unplanned (fix) deployments / deployments.",
            m => m.ReworkRate);
        DeliveryGauge(gauges, "verification_delivery_performance_level", "DORA performance level: 3 elite, 2 high, 1 medium, 0 low.",
            m => m.Performance switch
            {
                DeliveryPerformance.Elite => 3,
                DeliveryPerformance.High => 2,
                DeliveryPerformance.Medium => 1,
                DeliveryPerformance.Low => 0,
                _ => null,
            });

        // The delivery KPIs beyond DORA (README "Executive guide"), read from the same M1–M10 rows as the API.
        DeliveryGauge(gauges, "verification_delivery_lead_time_p50_hours", "M1 lead time for changes: p50 hours from commit to promotion.",
            m => m.LeadTimeP50Hours);
        DeliveryGauge(gauges, "verification_delivery_lead_time_p90_hours", "Lead time for changes: p90 hours from commit to promotion.",
            m => m.LeadTimeP90Hours);
        KpiGauge(gauges, "M5", "verification_delivery_pipeline_success_ratio",
            "M5 pipeline success rate: succeeded / (succeeded + failed) pipeline runs, cancelled excluded.");
        DeliveryGauge(gauges, "verification_delivery_pipeline_flaky_runs",
            "Pipeline runs that failed and then succeeded on a retry of the same commit and pipeline.", m => m.PipelineRuns > 0 ? m.FlakyRuns : null);
        KpiGauge(gauges, "M6", "verification_delivery_time_to_detect_minutes",
            "M6 time to detect: median minutes from deployment start to its first ROLLBACK verdict.");
        KpiGauge(gauges, "M7", "verification_delivery_provenance_coverage_ratio",
            "M7 provenance coverage: deployments with commit, artifact and build known / deployments.");
        KpiGauge(gauges, "M8", "verification_delivery_canary_sli_delta_ratio",
            "M8 canary SLI delta: median over metric names of the median |canary effect| of finished deployments.");
        KpiGauge(gauges, "M9", "verification_delivery_security_gate_failure_ratio", "M9 security gate failure rate: failed / finished SECURITY runs.");
        KpiGauge(gauges, "M10", "verification_delivery_pages_per_release",
            "M10 pages per release: SLO pages and incidents attributed to a promotion within its incident window / promotions.");
    }

    /// <summary>A contract enum value as the API spells it (<c>ROLLED_BACK</c>).</summary>
    internal static string Upper<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    private void SloGauge(ScrapeGauges gauges, string name, string help, Func<SloState, double?> value) =>
        gauges.Gauge(name, help, [L.Service, L.Team, L.Slo], ct => Read(s => s.Slos
            .Where(x => value(x.Slo) is not null)
            .Select(x => Reading.Of(value(x.Slo)!.Value, x.Slo.Service, x.Team, x.Slo.Name))));

    private void DeliveryGauge(ScrapeGauges gauges, string name, string help, Func<DeliveryMetrics, double?> value) =>
        gauges.Gauge(name, help, [L.Service, L.Team], ct => Read(s => s.Delivery
            .Where(m => value(m) is not null)
            .Select(m => Reading.Of(value(m)!.Value, m.Service ?? "", m.Team ?? ""))));

    /// <summary>The value of KPI <paramref name="id"/> (<see cref="KpiTable"/>); no series where it is null (not measurable).</summary>
    private void KpiGauge(ScrapeGauges gauges, string id, string name, string help) =>
        DeliveryGauge(gauges, name, help, m => m.Kpis.Single(k => k.Id == id).Value);

    private ValueTask<IEnumerable<Reading>> Read(Func<Snapshot, IEnumerable<Reading>> read) => ValueTask.FromResult(read(_snapshot));

    private async Task<Snapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var deployments = new List<Deployment>();
        await foreach (var deployment in _deployments.ListAllAsync(new DeploymentFilter(), cancellationToken).ConfigureAwait(false))
        {
            deployments.Add(deployment);
        }

        // A service's team: that of its latest deployment naming one.
        var teams = deployments.Where(d => d.Team is not null).GroupBy(d => d.Service, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(d => d.StartedAt)!.Team!, StringComparer.Ordinal);
        var services = await _slos.ListServicesAsync(cancellationToken).ConfigureAwait(false);
        var slos = services.SelectMany(s => s.Slos.Select(slo => (slo, teams.GetValueOrDefault(s.Name) ?? ""))).ToList();

        var scopes = new List<(string? Service, string? Team)> { (null, null) };
        scopes.AddRange(deployments.Select(d => d.Team).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(team => ((string?)null, (string?)team)));
        scopes.AddRange(deployments.Select(d => (Service: (string?)d.Service, d.Team)).Distinct().Order());
        var delivery = new List<DeliveryMetrics>(scopes.Count);
        foreach (var (service, team) in scopes)
        {
            delivery.Add(await _delivery.GetAsync(service, team, DeliveryService.DefaultDays, cancellationToken).ConfigureAwait(false));
        }

        return new Snapshot(deployments, slos, delivery);
    }

    private sealed record Snapshot(
        IReadOnlyList<Deployment> Deployments,
        IReadOnlyList<(SloState Slo, string Team)> Slos,
        IReadOnlyList<DeliveryMetrics> Delivery);
}
