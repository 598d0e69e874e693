using System.Globalization;

namespace Verification.Analysis.Canary;

/// <summary>
/// Turns metric assessments and the elapsed time into a decision, fail-safe:
/// <list type="number">
/// <item><b>Rollback</b> as soon as a critical metric is High/Low (shown worse in a bad direction, beyond
/// allowedChange when set), or the score 100·pass/(pass + high + low) falls below the marginal threshold.</item>
/// <item><b>Promote</b> only after the minimum duration, with usable data on every metric in both cohorts, the score at
/// least the pass threshold, and evidence of non-inferiority: every metric's confidence bound in each bad direction
/// within its allowedChange (default <see cref="CanaryConfig.DefaultNonInferiorityMargin"/>).</item>
/// <item><b>Inconclusive</b> once the maximum duration has passed without either.</item>
/// <item><b>Pending</b> otherwise.</item>
/// </list>
/// Deliberate differences from Kayenta: NoData and Error metrics are left out of the score as Kayenta does, but they
/// are never ignored: any metric without usable data in both cohorts — critical or not — blocks promotion, so a
/// critical metric that errors or has no data can never pass. Kayenta instead scores such a run and may pass it
/// (Nodata is excluded from scoring unless mustHaveData is set). And Kayenta has no notion of elapsed time or of
/// non-inferiority: its score alone decides; here a score ≥ pass without bounds inside the margins stays Pending.
/// </summary>
internal static class VerdictPolicy
{
    public static CanaryVerdict Decide(CanaryConfig config, IReadOnlyList<MetricAssessment> assessments, TimeSpan elapsed)
    {
        var judgements = assessments.Select(a => a.Judgement).ToList();
        var kinds = config.Metrics.ToDictionary(m => m.Name, m => m.Kind);
        string Describe(MetricAssessment a) => a.Describe(kinds[a.Judgement.Metric]);

        var judged = assessments.Where(a => a.Judgement.Classification is MetricClassification.Pass or MetricClassification.High
            or MetricClassification.Low).ToList();
        var failing = judged.Where(a => a.Judgement.Classification != MetricClassification.Pass).ToList();
        double? score = judged.Count == 0 ? null : 100.0 * (judged.Count - failing.Count) / judged.Count;

        if (failing.FirstOrDefault(a => a.Judgement.Critical) is { } critical)
        {
            return Verdict(CanaryDecision.Rollback,
                $"Critical metric {Describe(critical)} is {Worse(critical)} on the canary.");
        }

        if (score < config.MarginalThreshold)
        {
            return Verdict(CanaryDecision.Rollback,
                $"Score {Number(score.Value)} is below the marginal threshold {Number(config.MarginalThreshold)}: "
                + string.Join("; ", failing.Select(a => $"{Describe(a)} is {Worse(a)}")) + ".");
        }

        var blocker = PromotionBlocker(config, assessments, elapsed, score, Describe);
        if (blocker is null)
        {
            return Verdict(CanaryDecision.Promote,
                $"All {assessments.Count} metrics are shown within their allowed change after {Seconds(elapsed)}; score {Number(score ?? 0)}: "
                + string.Join("; ", assessments.Select(Describe)) + ".");
        }

        return config.MaxDuration is { } max && elapsed >= max
            ? Verdict(CanaryDecision.Inconclusive, $"Maximum duration {Seconds(max)} passed undecided: {blocker}.")
            : Verdict(CanaryDecision.Pending, $"Collecting: {blocker}.");

        CanaryVerdict Verdict(CanaryDecision decision, string reason) => new(decision, reason, score, judgements);
    }

    private static string? PromotionBlocker(CanaryConfig config, IReadOnlyList<MetricAssessment> assessments, TimeSpan elapsed,
        double? score, Func<MetricAssessment, string> describe)
    {
        if (config.MinDuration is { } min && elapsed < min)
        {
            return $"the minimum duration {Seconds(min)} has not passed ({Seconds(elapsed)})";
        }

        foreach (var a in assessments)
        {
            var j = a.Judgement;
            switch (j.Classification)
            {
                case MetricClassification.NoData:
                    var missing = j.BaselineCount == 0 && j.CanaryCount == 0 ? "either cohort" : j.BaselineCount == 0 ? "the baseline" : "the canary";
                    return $"metric '{j.Metric}' has no data from {missing}";
                case MetricClassification.Error:
                    return $"metric {describe(a)} has no usable data (all samples were invalid)";
                case MetricClassification.Pass when !a.NonInferior:
                    return $"metric {describe(a)} is not yet shown within {MetricAssessment.Percent(a.Margin)} of the baseline";
                default:
                    break;
            }
        }

        if (score < config.PassThreshold)
        {
            return $"score {Number(score.Value)} is below the pass threshold {Number(config.PassThreshold)}";
        }

        return assessments.FirstOrDefault(a => !a.NonInferior) is { } notShown
            ? $"metric {describe(notShown)} is not shown within {MetricAssessment.Percent(notShown.Margin)} of the baseline"
            : null;
    }

    private static string Worse(MetricAssessment a) => a.Judgement.Classification == MetricClassification.High ? "higher" : "lower";

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");
}
