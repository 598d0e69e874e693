using Verification.Analysis.Statistics;

namespace Verification.Analysis.Canary;

/// <summary>
/// Judges one metric the way Kayenta's NetflixACAJudge / MannWhitneyClassifier does
/// (<see cref="AnalysisMethod.MannWhitney"/>): a fixed-horizon two-sided Mann–Whitney test at 98 % confidence
/// (normal approximation with continuity correction), a tolerance band of ±0.25·|Hodges–Lehmann estimate| that the
/// whole interval must clear, the mean ratio canary/baseline as effect size gating High/Low against
/// 1 ± allowedChange (Kayenta's allowedIncrease/allowedDecrease, default 1.0; a NaN ratio skips the gate), and the
/// metric's direction. Ratio metrics are judged on their per-batch ratios count/total, as Kayenta judges
/// per-interval time series; non-finite values and 0/0 batches are removed (Kayenta's default NaN strategy).
/// Identical samples, or a single distinct value over both, pass with ratio 1.
/// <para>
/// Deliberate differences: the interval, estimate and p-value are exactly R's <c>wilcox.test(canary, baseline,
/// conf.int = TRUE, exact = FALSE, correct = TRUE)</c> (checked against R fixtures), whereas Kayenta's Scala port
/// takes its p-value from Apache Commons' MannWhitneyUTest (no tie or continuity correction), roots the estimate on
/// the continuity-corrected statistic and uses a different Brent solver, so its numbers differ in the last digits
/// (the classification uses only the interval and the estimate); one value per cohort is Error as in Kayenta (R
/// cannot form the interval), but two constant cohorts that differ are judged on their only possible shift instead
/// of Kayenta's added noise; no outlier removal (optional in Kayenta); one allowedChange serves as both allowed and
/// critical effect size; the interval is reported relative to the baseline mean so it reads like the effect; and see
/// <see cref="VerdictPolicy"/> for how data gaps are treated.
/// </para>
/// </summary>
internal static class MannWhitneyJudge
{
    /// <summary>Kayenta's hard-coded confidence level.</summary>
    public const double ConfidenceLevel = 0.98;

    /// <summary>Kayenta's tolerance: the interval must clear ±0.25·|HL|.</summary>
    public const double Tolerance = 0.25;

    /// <param name="metric">The metric.</param>
    /// <param name="baseline">The baseline's samples.</param>
    /// <param name="canary">The canary's samples.</param>
    /// <param name="confidenceLevel">Kayenta's 98 % unless the bench cuts α.</param>
    /// <param name="needsPValue">Also require p ≤ 1 − level to fail a metric (see <see cref="CanaryConfig.MannWhitneyNeedsPValue"/>).</param>
    public static MetricAssessment Assess(CanaryMetric metric, CohortSamples baseline, CohortSamples canary,
        double confidenceLevel = ConfidenceLevel, bool needsPValue = false)
    {
        if (!baseline.HasData || !canary.HasData)
        {
            return MetricAssessment.Missing(metric, baseline, canary);
        }

        var b = baseline.Values.Sorted();
        var c = canary.Values.Sorted();
        var baselineMean = b.Average();
        var canaryMean = c.Average();
        var margin = metric.Margin;
        var scale = Math.Abs(baselineMean);
        var increaseBad = MetricAssessment.IncreaseIsBad(metric.Direction);
        var decreaseBad = MetricAssessment.DecreaseIsBad(metric.Direction);

        if (c.AsSpan().SequenceEqual(b) || (b[0] == b[^1] && c[0] == c[^1] && b[0] == c[0]))
        {
            // Kayenta passes identical data with ratio 1; one value per cohort is no evidence for promotion, though.
            return Judged(MetricClassification.Pass, pValue: 1, effect: 0, shiftLow: 0, shiftHigh: 0, nonInferior: b.Length > 1 && c.Length > 1);
        }

        if (b.Length == 1 && c.Length == 1)
        {
            // One value per cohort: R's wilcox.test (which Kayenta ports) cannot form the interval, and Kayenta reports
            // the failed classification as Error.
            return Judged(MetricClassification.Error, double.NaN, double.NaN, double.NaN, double.NaN, nonInferior: false);
        }

        var test = MannWhitney.TestSorted(c, b, confidenceLevel, RankSumMethod.Normal);
        var ratio = baselineMean == 0 || canaryMean == 0 ? double.NaN : canaryMean / baselineMean;
        var band = Tolerance * Math.Abs(test.Estimate);
        var allowed = metric.AllowedChange ?? 0;
        var significant = !needsPValue || test.PValue <= 1 - confidenceLevel;
        var high = significant && increaseBad && test.CiLow > band && (double.IsNaN(ratio) || ratio > 1 + allowed);
        var low = significant && decreaseBad && test.CiHigh < -band && (double.IsNaN(ratio) || ratio < 1 - allowed);
        var classification = high ? MetricClassification.High : low ? MetricClassification.Low : MetricClassification.Pass;
        var nonInferior = classification == MetricClassification.Pass
            && (!increaseBad || test.CiHigh <= margin * scale)
            && (!decreaseBad || test.CiLow >= -margin * scale);
        return Judged(classification, test.PValue, ratio - 1, test.CiLow, test.CiHigh, nonInferior);

        MetricAssessment Judged(MetricClassification label, double pValue, double effect, double shiftLow, double shiftHigh, bool nonInferior) =>
            new(
                new MetricJudgement(
                    metric.Name,
                    label,
                    metric.Critical,
                    MetricAssessment.Finite(pValue),
                    MetricAssessment.Finite(effect),
                    scale > 0 ? MetricAssessment.Finite(shiftLow / scale) : null,
                    scale > 0 ? MetricAssessment.Finite(shiftHigh / scale) : null,
                    baseline.ReportedCount,
                    canary.ReportedCount),
                nonInferior,
                margin);
    }
}
