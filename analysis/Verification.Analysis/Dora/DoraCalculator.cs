using System.Globalization;

namespace Verification.Analysis.Dora;

/// <summary>
/// DORA delivery metrics as pure functions of deployment and incident records. Filtering by service
/// or team is the caller's: pass the records that belong together.
/// </summary>
/// <remarks>
/// Definitions (production deployments only; a deployment's event time is when it finished, or
/// when it started while still verifying; it belongs to a window when its event time does):
/// <list type="bullet">
/// <item>Deployment frequency: promoted deployments ÷ days in the window. Defined (0) when none.</item>
/// <item>Change lead time: promotion (finish) time − commit time of promoted deployments that carry
/// one; median and 90th percentile (<see cref="Percentile"/>, Hyndman–Fan type 7). Negative
/// spans (clock or data errors) are left out.</item>
/// <item>Change failure rate: deployments rolled back or linked to an incident ÷ deployments that
/// finished (promoted, rolled back or aborted).</item>
/// <item>Failed-deployment recovery time: for a failure with linked incidents, from the first one
/// opened to the last one resolved (still open: not recovered, left out); for a rollback without
/// incidents, from the detection of the failure (<see cref="DoraDeployment.FailureDetectedAt"/>, else the
/// start of the rollout, when the failed change began to reach users) to the rollback's completion.
/// Median.</item>
/// <item>Deployment rework rate: unplanned ÷ all deployments in the window.</item>
/// <item>Overrides: finished deployments whose completion went against the verdict of that moment (not a DORA metric;
/// what executives ask next).</item>
/// </list>
/// Levels follow the State of DevOps 2023 clusters: frequency ≥ 1/day elite, ≥ 1/week high, ≥ 1/month
/// (30 d) medium; lead time &lt; 1 day, &lt; 1 week, &lt; 1 month (30 d); change failure ≤ 5 %, ≤ 10 %,
/// ≤ 15 %; recovery &lt; 1 h, &lt; 1 day, &lt; 1 week; anything else low. The overall level is the lowest
/// of the defined per-metric levels (a team is as fast as its slowest practice), null when no
/// production deployment lies in the window. Rework rate has no published cluster and does not count.
/// Incidents may be passed unfiltered: only those linked to the given deployments are used.
/// </remarks>
public static class DoraCalculator
{
    private const double HoursPerDay = 24;
    private const double DaysPerWeek = 7;
    private const double DaysPerMonth = 30;

    /// <summary>The metrics over [now − days, now], both ends included.</summary>
    public static DoraMetrics Compute(
        IReadOnlyList<DoraDeployment> deployments,
        IReadOnlyList<DoraIncident> incidents,
        DateTimeOffset now,
        int days)
    {
        if (days < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, "The window is at least one day.");
        }

        return Compute(deployments, incidents, now.AddDays(-days), now, includeEnd: true);
    }

    /// <summary>
    /// The metrics per ISO week (Monday 00:00 UTC to the next Monday) for every week overlapping
    /// [from, to]; the first and last weeks are clipped to the range, so a week in progress reports a
    /// frequency over its elapsed days.
    /// </summary>
    public static IReadOnlyList<DoraWeek> Weekly(
        IReadOnlyList<DoraDeployment> deployments,
        IReadOnlyList<DoraIncident> incidents,
        DateTimeOffset from,
        DateTimeOffset to)
    {
        if (to <= from)
        {
            throw new ArgumentException("The range must end after it starts.", nameof(to));
        }

        var weeks = new List<DoraWeek>();
        var day = from.UtcDateTime.Date;
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        for (var start = new DateTimeOffset(monday, TimeSpan.Zero); start < to; start = start.AddDays(DaysPerWeek))
        {
            var end = start.AddDays(DaysPerWeek);
            var last = end >= to;
            var metrics = Compute(deployments, incidents, start < from ? from : start, last ? to : end, includeEnd: last);
            weeks.Add(new DoraWeek(ISOWeek.GetYear(start.UtcDateTime), ISOWeek.GetWeekOfYear(start.UtcDateTime), metrics));
        }

        return weeks;
    }

    /// <summary>The level of a deployment frequency (per day).</summary>
    public static PerformanceLevel FrequencyLevel(double perDay) => perDay switch
    {
        >= 1 => PerformanceLevel.Elite,
        >= 1 / DaysPerWeek => PerformanceLevel.High,
        >= 1 / DaysPerMonth => PerformanceLevel.Medium,
        _ => PerformanceLevel.Low,
    };

    /// <summary>The level of a median change lead time (hours).</summary>
    public static PerformanceLevel LeadTimeLevel(double hours) => hours switch
    {
        < HoursPerDay => PerformanceLevel.Elite,
        < HoursPerDay * DaysPerWeek => PerformanceLevel.High,
        < HoursPerDay * DaysPerMonth => PerformanceLevel.Medium,
        _ => PerformanceLevel.Low,
    };

    /// <summary>The level of a change failure rate (fraction).</summary>
    public static PerformanceLevel ChangeFailureLevel(double rate) => rate switch
    {
        <= 0.05 => PerformanceLevel.Elite,
        <= 0.10 => PerformanceLevel.High,
        <= 0.15 => PerformanceLevel.Medium,
        _ => PerformanceLevel.Low,
    };

    /// <summary>The level of a median failed-deployment recovery time (hours).</summary>
    public static PerformanceLevel RecoveryLevel(double hours) => hours switch
    {
        < 1 => PerformanceLevel.Elite,
        < HoursPerDay => PerformanceLevel.High,
        < HoursPerDay * DaysPerWeek => PerformanceLevel.Medium,
        _ => PerformanceLevel.Low,
    };

    /// <summary>
    /// The change lead time of a promoted deployment in hours (promotion − commit time); null when it was not promoted, has
    /// no commit time, or the span is negative (clock or data errors).
    /// </summary>
    public static double? LeadTimeHours(DoraDeployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return deployment is { Status: DoraDeploymentStatus.Promoted, FinishedAt: { } finished, CommitTime: { } commit } && finished >= commit
            ? (finished - commit).TotalHours
            : null;
    }

    /// <summary>Whether an event at <paramref name="t"/> belongs to [from, to) (or [from, to] with <paramref name="includeEnd"/>).</summary>
    public static bool InWindow(DateTimeOffset t, DateTimeOffset from, DateTimeOffset to, bool includeEnd) =>
        t >= from && (t < to || (includeEnd && t == to));

    private static DoraMetrics Compute(
        IReadOnlyList<DoraDeployment> deployments,
        IReadOnlyList<DoraIncident> incidents,
        DateTimeOffset from,
        DateTimeOffset to,
        bool includeEnd)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(incidents);

        var production = deployments.Where(d => d.IsProduction && InWindow(d.FinishedAt ?? d.StartedAt, from, to, includeEnd)).ToList();
        var promoted = production.Where(d => d.Status == DoraDeploymentStatus.Promoted && d.FinishedAt is not null).ToList();
        var finished = production.Where(d => d.Status != DoraDeploymentStatus.Verifying && d.FinishedAt is not null).ToList();

        var frequency = promoted.Count / (to - from).TotalDays;

        var leadTimes = promoted.Select(LeadTimeHours).OfType<double>().ToList();

        var incidentsById = incidents.GroupBy(i => i.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var failed = finished
            .Select(d => (Deployment: d, Incidents: LinkedIncidents(d, incidents, incidentsById)))
            .Where(f => f.Deployment.Status == DoraDeploymentStatus.RolledBack || f.Deployment.LinkedIncidents.Count > 0 || f.Incidents.Count > 0)
            .ToList();
        double? failureRate = finished.Count == 0 ? null : failed.Count / (double)finished.Count;

        var recoveries = failed
            .Select(f => RecoveryHours(f.Deployment, f.Incidents))
            .OfType<double>()
            .ToList();

        double? rework = production.Count == 0 ? null : production.Count(d => d.Unplanned) / (double)production.Count;

        var leadMedian = Percentile.Of(leadTimes, 0.5);
        var recoveryMedian = Percentile.Of(recoveries, 0.5);
        var levels = Levels(production.Count, frequency, leadMedian, failureRate, recoveryMedian);
        return new DoraMetrics(
            from,
            to,
            production.Count,
            frequency,
            leadMedian,
            Percentile.Of(leadTimes, 0.9),
            failureRate,
            recoveryMedian,
            rework,
            levels,
            finished.Count(d => d.Override));
    }

    // Incidents attributed to a deployment either way round: the incident names the deployment, or
    // the deployment lists the incident.
    private static List<DoraIncident> LinkedIncidents(
        DoraDeployment deployment,
        IReadOnlyList<DoraIncident> incidents,
        Dictionary<string, DoraIncident> incidentsById)
    {
        var linked = incidents.Where(i => string.Equals(i.DeploymentId, deployment.Id, StringComparison.Ordinal)).ToList();
        foreach (var id in deployment.LinkedIncidents)
        {
            if (incidentsById.TryGetValue(id, out var incident) && !linked.Contains(incident))
            {
                linked.Add(incident);
            }
        }

        return linked;
    }

    private static double? RecoveryHours(DoraDeployment deployment, List<DoraIncident> linked)
    {
        if (linked.Count > 0)
        {
            if (linked.Any(i => i.ResolvedAt is null))
            {
                return null;
            }

            var detected = linked.Min(i => i.OpenedAt);
            var restored = linked.Max(i => i.ResolvedAt!.Value);
            return restored >= detected ? (restored - detected).TotalHours : null;
        }

        var detectedAt = deployment.FailureDetectedAt ?? deployment.StartedAt;
        return deployment.Status == DoraDeploymentStatus.RolledBack && deployment.FinishedAt is { } finishedAt && finishedAt >= detectedAt
            ? (finishedAt - detectedAt).TotalHours
            : null;
    }

    private static DoraLevels Levels(int deployments, double frequency, double? leadTime, double? failureRate, double? recovery)
    {
        if (deployments == 0)
        {
            return new DoraLevels(null, null, null, null, null);
        }

        PerformanceLevel? lead = leadTime is { } l ? LeadTimeLevel(l) : null;
        PerformanceLevel? failure = failureRate is { } f ? ChangeFailureLevel(f) : null;
        PerformanceLevel? restore = recovery is { } r ? RecoveryLevel(r) : null;
        var deploy = FrequencyLevel(frequency);
        PerformanceLevel?[] all = [deploy, lead, failure, restore];
        var overall = all.OfType<PerformanceLevel>().Max();
        return new DoraLevels(deploy, lead, failure, restore, overall);
    }
}
