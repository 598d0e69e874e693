namespace Verification.Api.Contracts;

/// <summary>Lead times up to <see cref="UpToHours"/> (inclusive) and above the previous bucket's bound; null: above the last bound.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.LeadTimeBucket")]
public sealed record LeadTimeBucket(double? UpToHours, int Count);

/// <summary>M8: the distribution of one metric's canary effect (canary relative to baseline) over finished deployments.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.CanaryDelta")]
public sealed record CanaryDelta(string Metric, int Deployments, double MedianEffect, double P90Effect);

/// <summary>Which side of its reference a KPI should be on.</summary>
[GenerateSerializer]
[Alias("Verification.KpiComparison")]
public enum KpiComparison
{
    /// <summary>Good when the value is at most the reference.</summary>
    AtMost,

    /// <summary>Good when the value is at least the reference.</summary>
    AtLeast,
}

/// <summary>One KPI of the M1–M10 table with its reference level next to the value.</summary>
/// <param name="Id"><c>M1</c> … <c>M10</c>.</param>
/// <param name="Field">The <see cref="DeliveryMetrics"/> field holding the value.</param>
/// <param name="Value">Null when not measurable in the window.</param>
/// <param name="Reference">The commonly used starting target, in the value's unit.</param>
/// <param name="Met">Whether the value is on the good side of the reference; null when the value is.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.Kpi")]
public sealed record Kpi(string Id, string Name, string Field, double? Value, string Unit, double Reference, KpiComparison Comparison, string Target, bool? Met);

/// <summary>
/// The M1–M10 table: each KPI's value read from <see cref="DeliveryMetrics"/> and its reference level (README "Executive
/// guide"). One place to read every KPI from, for the API, the UI and exporters alike.
/// </summary>
public static class KpiTable
{
    private sealed record Row(string Id, string Name, string Field, string Unit, double Reference, KpiComparison Comparison, string Target,
        Func<DeliveryMetrics, double?> Value);

    // Starting targets: DORA 2023 "high" boundaries for M1, M2, M4 and the CFR < 15 %, pipeline success > 90 %,
    // detection < 10 min and full provenance; M8–M10 are our defaults (README explains each).
    private static readonly Row[] Rows =
    [
        new("M1", "Lead time for changes (p50)", "leadTimeP50Hours", "hours", 168, KpiComparison.AtMost, "≤ 1 week", m => m.LeadTimeP50Hours),
        new("M2", "Deployment frequency", "deploymentFrequencyPerDay", "per day", 1.0 / 7, KpiComparison.AtLeast, "≥ 1 per week",
            m => m.DeploymentFrequencyPerDay),
        new("M3", "Change failure rate", "changeFailureRate", "ratio", 0.15, KpiComparison.AtMost, "≤ 15 %", m => m.ChangeFailureRate),
        new("M4", "Time to recovery (median)", "recoveryTimeHours", "hours", 24, KpiComparison.AtMost, "≤ 1 day", m => m.RecoveryTimeHours),
        new("M5", "Pipeline success rate", "pipelineSuccessRate", "ratio", 0.9, KpiComparison.AtLeast, "≥ 90 %", m => m.PipelineSuccessRate),
        new("M6", "Time to detect a release regression (median)", "timeToDetectMinutes", "minutes", 10, KpiComparison.AtMost, "≤ 10 min",
            m => m.TimeToDetectMinutes),
        new("M7", "Artifact provenance coverage", "provenanceCoverage", "ratio", 1, KpiComparison.AtLeast, "100 %", m => m.ProvenanceCoverage),
        new("M8", "Canary SLI delta (median |effect| over metrics)", "canaryDeltas", "ratio", 0.1, KpiComparison.AtMost, "≤ 10 %",
            m => m.CanaryDeltas is { Count: > 0 } d ? Median(d.Select(x => Math.Abs(x.MedianEffect))) : null),
        new("M9", "Security gate failure rate", "securityGateFailureRate", "ratio", 0.05, KpiComparison.AtMost, "≤ 5 %",
            m => m.SecurityGateFailureRate),
        new("M10", "On-call pages per release", "pagesPerRelease", "pages", 0.05, KpiComparison.AtMost, "≤ 0.05 (1 in 20 releases)",
            m => m.PagesPerRelease),
    ];

    /// <summary>The ids, names and reference levels, in table order (for documentation and exporters).</summary>
    public static IReadOnlyList<(string Id, string Name, string Field, double Reference, KpiComparison Comparison, string Target)> References { get; } =
        [.. Rows.Select(r => (r.Id, r.Name, r.Field, r.Reference, r.Comparison, r.Target))];

    public static IReadOnlyList<Kpi> Of(DeliveryMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return [.. Rows.Select(r =>
        {
            var value = r.Value(metrics);
            bool? met = value is { } v ? (r.Comparison == KpiComparison.AtMost ? v <= r.Reference : v >= r.Reference) : null;
            return new Kpi(r.Id, r.Name, r.Field, value, r.Unit, r.Reference, r.Comparison, r.Target, met);
        })];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
