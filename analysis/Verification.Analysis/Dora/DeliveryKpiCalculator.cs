namespace Verification.Analysis.Dora;

/// <summary>
/// The delivery KPIs beyond DORA's five (M5–M10 of the continuous-delivery measurement table, and the lead-time
/// distribution) as pure functions of pipeline runs, deployments and pages. Filtering by service or team is the caller's.
/// </summary>
/// <remarks>
/// Windows are those of <see cref="DoraCalculator"/>: a run belongs to one when its finish does, a deployment when its
/// finish (or start, while verifying) does; only production deployments count. Null means not measurable, never 0.
/// <list type="bullet">
/// <item>M5 pipeline success rate: SUCCEEDED ÷ (SUCCEEDED + FAILED) runs of every kind, retries included, cancelled
/// excluded. Flaky: a FAILED run followed (a later finish, in or after the window) by a SUCCEEDED run of the same service,
/// pipeline and commit; runs without a commit are never flaky.</item>
/// <item>M6 time to detect: start → ROLLBACK verdict of rolled-back deployments (median, p90, minutes); and promotion →
/// first SLO page linked to the deployment (median, minutes).</item>
/// <item>M7 provenance coverage: deployments with commit, artifact and build ÷ deployments.</item>
/// <item>M8 canary SLI delta: per metric name, the judged effects (canary relative to baseline) of finished deployments:
/// count, median, p90.</item>
/// <item>M9 security gate failure rate: FAILED ÷ (SUCCEEDED + FAILED) SECURITY runs.</item>
/// <item>M10 pages per release: pages (SLO pages and incidents) linked to a promoted deployment and opened within its
/// service's incident window after the promotion ÷ promotions.</item>
/// <item>Lead time: p50, p90 (<see cref="Percentile"/>) and a histogram over <see cref="LeadTimeBucketHours"/>.</item>
/// </list>
/// Percentiles are Hyndman–Fan type 7, as in <see cref="DoraCalculator"/>.
/// </remarks>
public static class DeliveryKpiCalculator
{
    /// <summary>Upper bounds (hours, inclusive) of the lead-time histogram: 1 h, 1 day, 1 week, 30 days; the last bucket is open.</summary>
    public static IReadOnlyList<double> LeadTimeBucketHours { get; } = [1, 24, 168, 720];

    public static DeliveryKpis Compute(
        IReadOnlyList<KpiRun> runs,
        IReadOnlyList<KpiDeployment> deployments,
        IReadOnlyList<KpiPage> pages,
        DateTimeOffset from,
        DateTimeOffset to,
        bool includeEnd)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(pages);

        var inWindow = runs.Where(r => DoraCalculator.InWindow(r.FinishedAt, from, to, includeEnd)).ToList();
        var (succeeded, failed) = Outcomes(inWindow);
        var (securityOk, securityFailed) = Outcomes(inWindow.Where(r => r.Kind == KpiRunKind.Security));

        var successes = runs.Where(r => r.Outcome == KpiRunOutcome.Succeeded && r.CommitSha is not null)
            .GroupBy(r => (r.Service, r.Pipeline, r.CommitSha))
            .ToDictionary(g => g.Key, g => g.Max(r => r.FinishedAt));
        var flaky = inWindow.Count(r => r.Outcome == KpiRunOutcome.Failed && r.CommitSha is not null
            && successes.TryGetValue((r.Service, r.Pipeline, r.CommitSha), out var lastSuccess) && lastSuccess > r.FinishedAt);

        var production = deployments
            .Where(d => d.Dora.IsProduction && DoraCalculator.InWindow(d.Dora.FinishedAt ?? d.Dora.StartedAt, from, to, includeEnd))
            .ToList();
        var detection = production
            .Where(d => d.Dora is { Status: DoraDeploymentStatus.RolledBack, FailureDetectedAt: { } at } && at >= d.Dora.StartedAt)
            .Select(d => (d.Dora.FailureDetectedAt!.Value - d.Dora.StartedAt).TotalMinutes)
            .ToList();

        var promoted = production.Where(d => d.Dora is { Status: DoraDeploymentStatus.Promoted, FinishedAt: not null }).ToList();
        var pagesByDeployment = pages.Where(p => p.DeploymentId is not null).ToLookup(p => p.DeploymentId!, StringComparer.Ordinal);
        var pageDetection = new List<double>();
        var pagesInWindow = 0;
        foreach (var d in promoted)
        {
            var promotedAt = d.Dora.FinishedAt!.Value;
            var after = pagesByDeployment[d.Dora.Id].Where(p => p.OpenedAt >= promotedAt).ToList();
            pagesInWindow += after.Count(p => p.OpenedAt - promotedAt <= d.IncidentWindow);
            if (after.Where(p => p.SloPage).Select(p => (DateTimeOffset?)p.OpenedAt).Min() is { } first)
            {
                pageDetection.Add((first - promotedAt).TotalMinutes);
            }
        }

        var leadTimes = production.Select(d => DoraCalculator.LeadTimeHours(d.Dora)).OfType<double>().ToList();
        var deltas = production
            .Where(d => d.Dora.Status != DoraDeploymentStatus.Verifying)
            .SelectMany(d => d.Effects)
            .GroupBy(e => e.Metric, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var effects = g.Select(e => e.Effect).ToList();
                return new MetricDelta(g.Key, effects.Count, Percentile.Of(effects, 0.5)!.Value, Percentile.Of(effects, 0.9)!.Value);
            })
            .ToList();

        return new DeliveryKpis(
            inWindow.Count,
            Rate(succeeded, succeeded + failed),
            flaky,
            Rate(securityFailed, securityOk + securityFailed),
            Percentile.Of(detection, 0.5),
            Percentile.Of(detection, 0.9),
            Percentile.Of(pageDetection, 0.5),
            Rate(production.Count(d => d.FullProvenance), production.Count),
            Rate(pagesInWindow, promoted.Count),
            Percentile.Of(leadTimes, 0.5),
            Percentile.Of(leadTimes, 0.9),
            Histogram(leadTimes),
            deltas);
    }

    private static (int Succeeded, int Failed) Outcomes(IEnumerable<KpiRun> runs)
    {
        var list = runs.ToList();
        return (list.Count(r => r.Outcome == KpiRunOutcome.Succeeded), list.Count(r => r.Outcome == KpiRunOutcome.Failed));
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : part / (double)whole;

    private static IReadOnlyList<LeadTimeBucket> Histogram(List<double> hours)
    {
        var buckets = new List<LeadTimeBucket>();
        var lower = 0.0;
        foreach (var upper in LeadTimeBucketHours)
        {
            var low = lower;
            buckets.Add(new LeadTimeBucket(upper, hours.Count(h => (buckets.Count == 0 ? h >= low : h > low) && h <= upper)));
            lower = upper;
        }

        buckets.Add(new LeadTimeBucket(null, hours.Count(h => h > lower)));
        return buckets;
    }
}

/// <summary>What a run did (mirrors the API's <c>PipelineKind</c>).</summary>
public enum KpiRunKind
{
    Build,
    Test,
    Security,
    Deploy,
}

/// <summary>How a run ended (mirrors the API's <c>PipelineStatus</c>).</summary>
public enum KpiRunOutcome
{
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>One finished pipeline run.</summary>
public sealed record KpiRun(string Service, string Pipeline, KpiRunKind Kind, KpiRunOutcome Outcome, DateTimeOffset FinishedAt, string? CommitSha);

/// <summary>A deployment as the KPIs see it: the DORA record and what the KPIs add.</summary>
/// <param name="FullProvenance">Commit, artifact and build are all known.</param>
/// <param name="Effects">The per-metric effects of its verdict (canary relative to baseline), where judged.</param>
/// <param name="IncidentWindow">Its service's incident window (release policy): pages this long after promotion count.</param>
public sealed record KpiDeployment(DoraDeployment Dora, bool FullProvenance, IReadOnlyList<MetricEffect> Effects, TimeSpan IncidentWindow);

/// <summary>One judged effect of one metric.</summary>
public sealed record MetricEffect(string Metric, double Effect);

/// <summary>A page or incident, linked to the deployment it is attributed to (if any).</summary>
/// <param name="SloPage">Opened by an SLO reaching PAGE (not by a person).</param>
public sealed record KpiPage(string? DeploymentId, DateTimeOffset OpenedAt, bool SloPage);

/// <summary>Lead times up to <see cref="UpToHours"/> (inclusive) and above the previous bucket's bound; null = above the last.</summary>
public sealed record LeadTimeBucket(double? UpToHours, int Count);

/// <summary>The distribution of one metric's canary effect over finished deployments.</summary>
public sealed record MetricDelta(string Metric, int Deployments, double MedianEffect, double P90Effect);

/// <summary>The KPIs over one window; null where not measurable.</summary>
public sealed record DeliveryKpis(
    int PipelineRuns,
    double? PipelineSuccessRate,
    int FlakyRuns,
    double? SecurityGateFailureRate,
    double? TimeToDetectMinutes,
    double? TimeToDetectP90Minutes,
    double? TimeToDetectPageMinutes,
    double? ProvenanceCoverage,
    double? PagesPerRelease,
    double? LeadTimeP50Hours,
    double? LeadTimeP90Hours,
    IReadOnlyList<LeadTimeBucket> LeadTimeHistogram,
    IReadOnlyList<MetricDelta> CanaryDeltas);
