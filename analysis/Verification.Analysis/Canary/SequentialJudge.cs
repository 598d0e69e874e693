using Verification.Analysis.Sequential;

namespace Verification.Analysis.Canary;

/// <summary>
/// Judges one metric with always-valid tests (<see cref="AnalysisMethod.Sequential"/>).
/// <list type="bullet">
/// <item>Ratio: <see cref="RateRatioTest"/> on the cumulative counts (rate ratio canary/baseline).</item>
/// <item>Continuous: <see cref="MeanDifferenceTest"/> on the means, plus a tail test per bad direction: the share of
/// each cohort's values beyond the pooled 99th (or 1st) percentile, judged with <see cref="RateRatioTest"/> as a
/// rate of exceedances. Under "no difference" the pooled sample is exchangeable, so a threshold chosen from the
/// pooled values does not favour either cohort; this catches a heavier tail at an equal median, which a test
/// of means can miss. The tail test can only fail a metric; promotion rests on the mean's bound.</item>
/// </list>
/// Multiple testing: the caller gives each test α/T, T = the number of tests over all metrics (Bonferroni), so the
/// probability that any test of any metric ever rejects a true null is at most α (union bound over Ville's inequality).
/// </summary>
internal static class SequentialJudge
{
    /// <summary>Share of pooled values in the tail the tail test watches.</summary>
    public const double TailShare = 0.01;

    /// <summary>How many always-valid tests a metric spends α on.</summary>
    public static int TestCount(CanaryMetric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric.Kind == MetricKind.Ratio ? 1 : 1 + (metric.Direction == MetricDirection.Either ? 2 : 1);
    }

    public static MetricAssessment Assess(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alphaPerTest)
    {
        if (!baseline.HasData || !canary.HasData)
        {
            return MetricAssessment.Missing(metric, baseline, canary);
        }

        return metric.Kind == MetricKind.Ratio
            ? AssessRatio(metric, baseline, canary, alphaPerTest)
            : AssessContinuous(metric, baseline, canary, alphaPerTest);
    }

    private static MetricAssessment AssessRatio(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alpha)
    {
        var cs = RateRatioTest.Test(canary.Count, canary.Total, baseline.Count, baseline.Total, alpha);
        var allowed = metric.AllowedChange ?? 0;
        var margin = metric.AllowedChange ?? CanaryConfig.DefaultNonInferiorityMargin;
        var high = MetricAssessment.IncreaseIsBad(metric.Direction) && cs.Low > Math.Log(1 + allowed);
        var low = MetricAssessment.DecreaseIsBad(metric.Direction) && allowed < 1 && cs.High < Math.Log(1 - allowed);
        var nonInferior = (!MetricAssessment.IncreaseIsBad(metric.Direction) || cs.High <= Math.Log(1 + margin))
            && (!MetricAssessment.DecreaseIsBad(metric.Direction) || margin >= 1 || cs.Low >= Math.Log(1 - margin));
        var judgement = new MetricJudgement(
            metric.Name,
            Classify(high, low, cs.Estimate),
            metric.Critical,
            cs.PValue,
            MetricAssessment.Finite(Math.Exp(cs.Estimate) - 1),
            MetricAssessment.Finite(Math.Exp(cs.Low) - 1),
            MetricAssessment.Finite(Math.Exp(cs.High) - 1),
            baseline.ReportedCount,
            canary.ReportedCount);
        return new MetricAssessment(judgement, nonInferior && !high && !low, margin);
    }

    private static MetricAssessment AssessContinuous(CanaryMetric metric, CohortSamples baseline, CohortSamples canary, double alpha)
    {
        var mean = MeanDifferenceTest.Test(canary.Moments, baseline.Moments, alpha);
        var scale = Math.Abs(baseline.Moments.Mean);
        var allowed = metric.AllowedChange ?? 0;
        var margin = metric.AllowedChange ?? CanaryConfig.DefaultNonInferiorityMargin;
        var increaseBad = MetricAssessment.IncreaseIsBad(metric.Direction);
        var decreaseBad = MetricAssessment.DecreaseIsBad(metric.Direction);

        var pMin = mean.PValue;
        var high = increaseBad && mean.Low > allowed * scale;
        var low = decreaseBad && mean.High < -allowed * scale;
        if (increaseBad)
        {
            var tail = TailTest(baseline.Histogram, canary.Histogram, upper: true, alpha);
            pMin = Math.Min(pMin, tail.PValue);
            high |= tail.Low > Math.Log(1 + allowed);
        }

        if (decreaseBad)
        {
            var tail = TailTest(baseline.Histogram, canary.Histogram, upper: false, alpha);
            pMin = Math.Min(pMin, tail.PValue);
            low |= tail.Low > Math.Log(1 + allowed);
        }

        var nonInferior = (!increaseBad || mean.High <= margin * scale) && (!decreaseBad || mean.Low >= -margin * scale);
        var relative = scale > 0;
        var judgement = new MetricJudgement(
            metric.Name,
            Classify(high, low, mean.Estimate),
            metric.Critical,
            Math.Min(1, pMin * TestCount(metric)),
            relative ? canary.Moments.Mean / baseline.Moments.Mean - 1 : null,
            relative ? MetricAssessment.Finite(mean.Low / scale) : null,
            relative ? MetricAssessment.Finite(mean.High / scale) : null,
            baseline.ReportedCount,
            canary.ReportedCount);
        return new MetricAssessment(judgement, nonInferior && !high && !low, margin);
    }

    /// <summary>Exceedance-rate test beyond the pooled tail threshold; estimate and bounds on the log ratio of exceedance rates.</summary>
    internal static ConfidenceSequence TailTest(LogHistogram baseline, LogHistogram canary, bool upper, double alpha)
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

        return RateRatioTest.Test(canaryInTail, canary.Count, baselineInTail, baseline.Count, alpha);
    }

    private static MetricClassification Classify(bool high, bool low, double estimate) => (high, low) switch
    {
        (true, true) => estimate >= 0 ? MetricClassification.High : MetricClassification.Low,
        (true, false) => MetricClassification.High,
        (false, true) => MetricClassification.Low,
        _ => MetricClassification.Pass,
    };
}
