namespace Verification.Silo.Telemetry;

/// <summary>
/// The label names a <c>verification_…</c> series may carry (docs/API.md, "Contract v1.1 — dashboards and export"):
/// bounded dimensions only, never a deployment id or version. With <see cref="MetricsOptions.MaxSeriesPerMetric"/>
/// this bounds every family of the silo's own series.
/// </summary>
internal static class MetricLabels
{
    public const string Service = "service";
    public const string Team = "team";
    public const string Environment = "environment";
    public const string Slo = "slo";
    public const string Window = "window";
    public const string Decision = "decision";
    public const string Severity = "severity";
    public const string Status = "status";

    /// <summary>The telemetry receiver (<c>otlp</c>, <c>remote_write</c>, …): a handful of fixed values.</summary>
    public const string Receiver = "receiver";

    /// <summary>The metric family a <c>verification_metrics_series_dropped_total</c> count is for.</summary>
    public const string Metric = "metric";

    public static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal)
    {
        Service, Team, Environment, Slo, Window, Decision, Severity, Status, Receiver, Metric,
    };

    /// <summary>Throws when <paramref name="labels"/> names a label outside <see cref="Allowed"/>.</summary>
    public static void Check(string metric, IReadOnlyList<string> labels)
    {
        foreach (var label in labels)
        {
            if (!Allowed.Contains(label))
            {
                throw new ArgumentException(
                    $"Metric '{metric}' may not have the label '{label}': labels are limited to {string.Join(", ", Allowed.Order(StringComparer.Ordinal))}.",
                    nameof(labels));
            }
        }
    }
}

/// <summary>Configuration section <c>Metrics</c>.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// Label sets a family of the silo's own series may hold; measurements for more are dropped and counted in
    /// <c>verification_metrics_series_dropped_total{metric}</c>.
    /// </summary>
    public int MaxSeriesPerMetric { get; set; } = 1000;

    /// <summary>
    /// Seconds a scrape reuses the domain gauges (SLO budgets, deployments, DORA) computed by an earlier scrape; 0 computes
    /// them at every scrape.
    /// </summary>
    public double RefreshSeconds { get; set; } = 10;
}
