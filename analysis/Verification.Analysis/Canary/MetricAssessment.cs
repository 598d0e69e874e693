using System.Globalization;

namespace Verification.Analysis.Canary;

/// <summary>A metric's judgement plus what the verdict policy needs beyond it.</summary>
/// <param name="Judgement">What the verdict reports.</param>
/// <param name="NonInferior">Whether the confidence bound in every bad direction lies within the margin.</param>
/// <param name="Margin">The non-inferiority margin used.</param>
internal sealed record MetricAssessment(MetricJudgement Judgement, bool NonInferior, double Margin)
{
    /// <summary>"'latency' +12.0 % (CI +5.1 % to +19.3 %, p = 0.0021; 20000 vs 20000 values)".</summary>
    public string Describe(MetricKind kind)
    {
        var j = Judgement;
        var unit = kind == MetricKind.Ratio ? "events" : "values";
        var counts = string.Create(CultureInfo.InvariantCulture, $"{j.BaselineCount} baseline vs {j.CanaryCount} canary {unit}");
        if (j.Classification is MetricClassification.NoData or MetricClassification.Error)
        {
            return $"'{j.Metric}' ({counts})";
        }

        var p = j.PValue is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value:G3}") : "n/a";
        var effect = j.Effect is null ? "change undefined (baseline zero)" : Percent(j.Effect);
        return $"'{j.Metric}' {effect} (CI {Percent(j.CiLow)} to {Percent(j.CiHigh)}, p = {p}; {counts})";
    }

    public static string Percent(double? relative) => relative switch
    {
        null => "unbounded",
        { } r => string.Create(CultureInfo.InvariantCulture, $"{r * 100:+0.0;-0.0;0.0} %"),
    };

    /// <summary>Null for ±∞ and NaN: the verdict carries no non-finite numbers (they do not survive JSON).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Whether a direction's bad side includes increases.</summary>
    public static bool IncreaseIsBad(MetricDirection direction) => direction is MetricDirection.Increase or MetricDirection.Either;

    /// <summary>Whether a direction's bad side includes decreases.</summary>
    public static bool DecreaseIsBad(MetricDirection direction) => direction is MetricDirection.Decrease or MetricDirection.Either;

    /// <summary>The judgement of a metric one of whose cohorts has nothing usable.</summary>
    public static MetricAssessment Missing(CanaryMetric metric, CohortSamples baseline, CohortSamples canary) =>
        new(
            new MetricJudgement(
                metric.Name,
                (baseline.Invalid > 0 && !baseline.HasData) || (canary.Invalid > 0 && !canary.HasData)
                    ? MetricClassification.Error
                    : MetricClassification.NoData,
                metric.Critical,
                null,
                null,
                null,
                null,
                baseline.ReportedCount,
                canary.ReportedCount),
            NonInferior: false,
            metric.Margin);
}
