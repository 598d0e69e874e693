using Verification.Analysis.Sequential;

namespace Verification.Analysis.Canary;

/// <summary>
/// Judges one metric with always-valid one-sided tests (<see cref="AnalysisMethod.Sequential"/>).
/// <list type="bullet">
/// <item>Ratio: <see cref="RateRatioTest"/> on the cumulative counts (rate ratio canary/baseline).</item>
/// <item>Continuous: <see cref="MeanDifferenceTest"/> on the means, plus a tail test per bad direction: the share of
/// each cohort's values beyond the pooled 99th (or 1st) percentile, judged with <see cref="RateRatioTest"/> as a
/// rate of exceedances. Under "no difference" the pooled sample is exchangeable, so a threshold chosen from the
/// pooled values does not favour either cohort; this catches a heavier tail at an equal median, which a test
/// of means can miss. The tail test can only fail a metric; promotion rests on the mean's bound.</item>
/// </list>
/// Each bad direction has its own pair of one-sided tests: a rollback test of "the canary is at most allowedChange
/// worse" (rejecting it makes the metric High/Low) at α/T, and a promotion test of "the canary is at least the margin
/// worse" (rejecting it shows non-inferiority) at α/P, its prior half on "no change" (the anchored mixtures). Multiple
/// testing: T = the number of rollback tests over all metrics, P = the number of promotion tests (Bonferroni), so the
/// probability that any rollback test ever rejects a true null is at most α (union bound over Ville's inequality), and
/// likewise for promotion. The reported interval is the two one-sided bounds of the plain mixtures, each at α/T.
/// </summary>
internal static class SequentialJudge
{
    /// <summary>Share of pooled values in the tail the tail test watches.</summary>
    public const double TailShare = 0.01;

    /// <summary>Share of a continuous metric's two rollback tests' α (per bad direction) the mean test gets: an even split.</summary>
    public const double DefaultMeanShare = 0.5;

    /// <summary>How many rollback tests a metric spends α on: one per bad direction (Ratio), two per bad direction
    /// (Continuous: mean and tail).</summary>
    public static int TestCount(CanaryMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var directions = metric.Direction == MetricDirection.Either ? 2 : 1;
        return metric.Kind == MetricKind.Ratio ? directions : 2 * directions;
    }

    /// <summary>How many promotion tests a metric spends α on: one per bad direction.</summary>
    public static int PromotionTestCount(CanaryMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Direction == MetricDirection.Either ? 2 : 1;
    }

    /// <param name="metric">The metric.</param>
    /// <param name="baseline">The baseline's samples.</param>
    /// <param name="canary">The canary's samples.</param>
    /// <param name="alphaPerTest">α over the rollback tests of all metrics.</param>
    /// <param name="alphaPerPromotionTest">α over the promotion tests of all metrics.</param>
    /// <param name="meanShare">Continuous: the mean test's share of the direction's two rollback tests' α (2·α per test), the
    /// tail test getting the rest. Weighted Bonferroni: each test at its own share of the same total keeps the union bound.</param>
    public static MetricAssessment Assess(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alphaPerTest,
        double alphaPerPromotionTest, double meanShare = DefaultMeanShare)
    {
        if (!baseline.HasData || !canary.HasData)
        {
            return MetricAssessment.Missing(metric, baseline, canary);
        }

        return metric.Kind == MetricKind.Ratio
            ? AssessRatio(metric, baseline, canary, alphaPerTest, alphaPerPromotionTest)
            : AssessContinuous(metric, baseline, canary, alphaPerTest, alphaPerPromotionTest, meanShare);
    }

    private static MetricAssessment AssessRatio(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alpha, double promotionAlpha)
    {
        var e = RateRatioTest.Of(canary.Count, canary.Total, baseline.Count, baseline.Total);
        var allowed = metric.AllowedChange ?? 0;
        var margin = metric.Margin;
        var increaseBad = MetricAssessment.IncreaseIsBad(metric.Direction);
        var decreaseBad = MetricAssessment.DecreaseIsBad(metric.Direction);
        var pHigh = increaseBad ? e.PValueAbove(Math.Log(1 + allowed)) : 1;
        var pLow = decreaseBad && allowed < 1 ? e.PValueBelow(Math.Log(1 - allowed)) : 1;
        var pChange = allowed == 0 ? Math.Min(pHigh, pLow) : Math.Min(increaseBad ? e.PValueAbove(0) : 1, decreaseBad ? e.PValueBelow(0) : 1);
        // Shown within the margin: the promotion test rejects "at least the margin worse".
        var nonInferior = (!increaseBad || e.LogBelowAnchored(Math.Log(1 + margin)) >= Math.Log(1 / promotionAlpha))
            && (!decreaseBad || margin >= 1 || e.LogAboveAnchored(Math.Log(1 - margin)) >= Math.Log(1 / promotionAlpha));
        var (low, high) = Bounds(metric.Direction, a => e.Lower(a ? promotionAlpha : alpha, a), a => e.Upper(a ? promotionAlpha : alpha, a));
        return Judge(metric, baseline, canary, alpha, (pHigh, pLow, pChange), nonInferior, margin,
            e.Estimate, Math.Exp(e.Estimate) - 1, Math.Exp(low) - 1, Math.Exp(high) - 1);
    }

    private static MetricAssessment AssessContinuous(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alpha,
        double promotionAlpha, double meanShare)
    {
        // The direction's two rollback tests share 2·alpha: the mean test rejects at 2·meanShare·alpha, the tail test at the
        // rest. Dividing each p-value by its weight and comparing the smaller with alpha is the same rule (and, with the
        // even split, exactly the plain Bonferroni minimum).
        var meanWeight = 2 * meanShare;
        var tailWeight = 2 * (1 - meanShare);
        var e = MeanDifferenceTest.Of(canary.Moments, baseline.Moments);
        var scale = Math.Abs(baseline.Moments.Mean);
        var allowed = metric.AllowedChange ?? 0;
        var margin = metric.Margin;
        var increaseBad = MetricAssessment.IncreaseIsBad(metric.Direction);
        var decreaseBad = MetricAssessment.DecreaseIsBad(metric.Direction);

        double pHigh = 1, pLow = 1, pChange = 1;
        if (increaseBad)
        {
            var tail = Tail(baseline.Histogram, canary.Histogram, upper: true);
            pHigh = Math.Min(e.PValueAbove(allowed * scale) / meanWeight, tail.PValueAbove(Math.Log(1 + allowed)) / tailWeight);
            pChange = allowed == 0 ? pHigh : Math.Min(e.PValueAbove(0) / meanWeight, tail.PValueAbove(0) / tailWeight);
        }

        if (decreaseBad)
        {
            var tail = Tail(baseline.Histogram, canary.Histogram, upper: false);
            pLow = Math.Min(e.PValueBelow(-allowed * scale) / meanWeight, tail.PValueAbove(Math.Log(1 + allowed)) / tailWeight);
            pChange = Math.Min(pChange, allowed == 0 ? pLow : Math.Min(e.PValueBelow(0) / meanWeight, tail.PValueAbove(0) / tailWeight));
        }

        var nonInferior = (!increaseBad || e.LogBelowAnchored(margin * scale) >= Math.Log(1 / promotionAlpha))
            && (!decreaseBad || e.LogAboveAnchored(-margin * scale) >= Math.Log(1 / promotionAlpha));
        var relative = scale > 0;
        var (low, high) = relative
            ? Bounds(metric.Direction, a => e.Lower(a ? promotionAlpha : meanWeight * alpha, a),
                a => e.Upper(a ? promotionAlpha : meanWeight * alpha, a))
            : (double.NaN, double.NaN);
        return Judge(metric, baseline, canary, alpha, (pHigh, pLow, pChange), nonInferior, margin, e.Estimate,
            relative ? (canary.Moments.Mean / baseline.Moments.Mean) - 1 : double.NaN, low / scale, high / scale);
    }

    /// <summary>
    /// The interval the verdict reports: on a side where a bad change lies, the rollback test's bound (plain mixture);
    /// on the other side, the promotion test's (anchored). With Either, each side serves both: the wider of the two.
    /// </summary>
    private static (double Low, double High) Bounds(MetricDirection direction, Func<bool, double> lower, Func<bool, double> upper) =>
        direction switch
        {
            MetricDirection.Increase => (lower(false), upper(true)),
            MetricDirection.Decrease => (lower(true), upper(false)),
            _ => (Math.Min(lower(false), lower(true)), Math.Max(upper(false), upper(true))),
        };

    /// <param name="p">The rollback tests' p-values (null: at most allowedChange higher / lower) and the smallest
    /// p-value for "no change" in a bad direction, which the judgement reports.</param>
    private static MetricAssessment Judge(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alpha,
        (double High, double Low, double Change) p, bool nonInferior, double margin, double estimate, double effect, double ciLow, double ciHigh)
    {
        var high = p.High <= alpha;
        var low = p.Low <= alpha;
        var judgement = new MetricJudgement(
            metric.Name,
            Classify(high, low, estimate),
            metric.Critical,
            Math.Min(1, p.Change * TestCount(metric)),
            MetricAssessment.Finite(effect),
            MetricAssessment.Finite(ciLow),
            MetricAssessment.Finite(ciHigh),
            baseline.ReportedCount,
            canary.ReportedCount);
        return new MetricAssessment(judgement, nonInferior && !high && !low, margin);
    }

    /// <summary>Exceedance-rate evidence beyond the pooled tail threshold (log ratio of exceedance rates, canary/baseline).</summary>
    internal static RateRatioTest.Evidence Tail(LogHistogram baseline, LogHistogram canary, bool upper)
    {
        var keys = new long[baseline.BucketCount + canary.BucketCount];
        baseline.Keys.CopyTo(keys, 0);
        canary.Keys.CopyTo(keys, baseline.BucketCount);
        Array.Sort(keys);
        if (upper)
        {
            Array.Reverse(keys);
        }

        var pooled = baseline.Count + canary.Count;
        long inTail = 0, canaryInTail = 0, baselineInTail = 0;
        for (var i = 0; i < keys.Length && inTail < TailShare * pooled; i++)
        {
            if (i > 0 && keys[i] == keys[i - 1])
            {
                // A bucket both cohorts hold appears twice in the merged keys.
                continue;
            }

            var b = baseline[keys[i]];
            var c = canary[keys[i]];
            baselineInTail += b;
            canaryInTail += c;
            inTail += b + c;
        }

        return RateRatioTest.Of(canaryInTail, canary.Count, baselineInTail, baseline.Count);
    }

    private static MetricClassification Classify(bool high, bool low, double estimate) => (high, low) switch
    {
        (true, true) => estimate >= 0 ? MetricClassification.High : MetricClassification.Low,
        (true, false) => MetricClassification.High,
        (false, true) => MetricClassification.Low,
        _ => MetricClassification.Pass,
    };
}
