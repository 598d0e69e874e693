namespace Verification.Analysis.Canary;

/// <summary>Which deployment a sample came from.</summary>
public enum CohortKind
{
    /// <summary>The current version.</summary>
    Baseline,

    /// <summary>The new version.</summary>
    Canary,
}

/// <summary>Shape of a metric's samples.</summary>
public enum MetricKind
{
    /// <summary>Batches of (count, total) events, e.g. errors / requests.</summary>
    Ratio,

    /// <summary>Batches of observed values, e.g. latency in ms.</summary>
    Continuous,
}

/// <summary>Which change of the canary is bad.</summary>
public enum MetricDirection
{
    /// <summary>Higher is bad (errors, latency).</summary>
    Increase,

    /// <summary>Lower is bad (throughput, success rate).</summary>
    Decrease,

    /// <summary>Any change is bad.</summary>
    Either,
}

/// <summary>How metrics are judged.</summary>
public enum AnalysisMethod
{
    /// <summary>Always-valid sequential tests: the false-rollback rate stays at α however often the verdict is read.</summary>
    Sequential,

    /// <summary>Kayenta-compatible fixed-horizon Mann–Whitney judge (its error rate grows with every look).</summary>
    MannWhitney,
}

/// <summary>The verdict's decision.</summary>
public enum CanaryDecision
{
    /// <summary>Keep collecting.</summary>
    Pending,

    /// <summary>The canary is shown not worse than the baseline on every metric.</summary>
    Promote,

    /// <summary>The canary is shown worse.</summary>
    Rollback,

    /// <summary>The analysis window closed undecided.</summary>
    Inconclusive,
}

/// <summary>Per-metric outcome, Kayenta's labels.</summary>
public enum MetricClassification
{
    /// <summary>No change in a bad direction shown.</summary>
    Pass,

    /// <summary>The canary is higher (in a direction the metric calls bad).</summary>
    High,

    /// <summary>The canary is lower (in a direction the metric calls bad).</summary>
    Low,

    /// <summary>A cohort has no samples.</summary>
    NoData,

    /// <summary>Samples arrived but none could be used (all NaN, or every ratio batch had total 0).</summary>
    Error,
}

/// <summary>One metric of a deployment.</summary>
/// <param name="Name">Metric name, unique within the deployment.</param>
/// <param name="Kind">Ratio or continuous.</param>
/// <param name="Direction">Which change of the canary is bad.</param>
/// <param name="Critical">A failing critical metric alone means rollback.</param>
/// <param name="AllowedChange">Relative change tolerated before the metric fails (0.1 = 10 %); also the
/// non-inferiority margin for promotion unless <paramref name="PromotionMargin"/> is set. Null: any shown change fails,
/// and the margin is <see cref="CanaryConfig.DefaultNonInferiorityMargin"/>.</param>
/// <param name="PromotionMargin">Relative change within which the canary must be shown for promotion, apart from the
/// rollback threshold (e.g. roll back on any shown increase, promote once shown within +50 %). Null: as
/// <paramref name="AllowedChange"/> says.</param>
public sealed record CanaryMetric(
    string Name,
    MetricKind Kind,
    MetricDirection Direction = MetricDirection.Either,
    bool Critical = false,
    double? AllowedChange = null,
    double? PromotionMargin = null)
{
    /// <summary>The non-inferiority margin promotion needs: <see cref="PromotionMargin"/>, else <see cref="AllowedChange"/>,
    /// else <see cref="CanaryConfig.DefaultNonInferiorityMargin"/>.</summary>
    public double Margin => PromotionMargin ?? AllowedChange ?? CanaryConfig.DefaultNonInferiorityMargin;
}

/// <summary>Everything the analysis needs to know about a deployment.</summary>
/// <param name="Metrics">The metrics judged.</param>
/// <param name="Method">Sequential (default) or Kayenta-compatible Mann–Whitney.</param>
/// <param name="Alpha">False-rollback rate to keep, over all metrics and all looks (Sequential).</param>
/// <param name="MinDuration">No promotion before this.</param>
/// <param name="MaxDuration">After this an undecided analysis is inconclusive.</param>
public sealed record CanaryConfig(
    IReadOnlyList<CanaryMetric> Metrics,
    AnalysisMethod Method = AnalysisMethod.Sequential,
    double Alpha = CanaryConfig.DefaultAlpha,
    TimeSpan? MinDuration = null,
    TimeSpan? MaxDuration = null)
{
    /// <summary>Default α.</summary>
    public const double DefaultAlpha = 0.01;

    /// <summary>Non-inferiority margin when a metric sets no <see cref="CanaryMetric.AllowedChange"/>: 10 %.</summary>
    public const double DefaultNonInferiorityMargin = 0.1;

    /// <summary>Spinnaker's default score thresholds (pass 95, marginal 75).</summary>
    public const double DefaultPassThreshold = 95;

    /// <inheritdoc cref="DefaultPassThreshold"/>
    public const double DefaultMarginalThreshold = 75;

    /// <summary>Promotion needs a score at least this.</summary>
    public double PassThreshold { get; init; } = DefaultPassThreshold;

    /// <summary>A score below this means rollback.</summary>
    public double MarginalThreshold { get; init; } = DefaultMarginalThreshold;

    /// <summary>Confidence level of the <see cref="AnalysisMethod.MannWhitney"/> judge: Kayenta's hard-coded 98 %. Not part
    /// of the contract; the bench lowers α = 1 − level to match the SEQUENTIAL judge's false-rollback rate.</summary>
    internal double MannWhitneyConfidence { get; init; } = MannWhitneyJudge.ConfidenceLevel;

    /// <summary>Whether the <see cref="AnalysisMethod.MannWhitney"/> judge also needs its p-value ≤ 1 − level to call a
    /// metric High/Low. Kayenta does not (false): with few intervals its interval falls back to the data range, so it
    /// fails a metric whenever every canary interval lies beyond every baseline one, whatever the level. Not part of the
    /// contract; the bench sets it so that cutting α can lower Kayenta-style's false-rollback rate at all.</summary>
    internal bool MannWhitneyNeedsPValue { get; init; }

    /// <summary>Share of a CONTINUOUS metric's rollback α (per bad direction) that the SEQUENTIAL mean test gets; the tail
    /// test gets the rest (weighted Bonferroni). Not part of the contract: ½ (an even split) is what the service uses; the
    /// bench measures other splits (bench/canary-study.md, "Latency against matched Kayenta").</summary>
    internal double SequentialMeanShare { get; init; } = SequentialJudge.DefaultMeanShare;
}

/// <summary>The judgement of one metric.</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Classification">Pass, High, Low, NoData or Error.</param>
/// <param name="Critical">Whether the metric is critical.</param>
/// <param name="PValue">Always-valid p-value (Sequential, Bonferroni-adjusted over the metric's tests) or the
/// Mann–Whitney p-value; null without data.</param>
/// <param name="Effect">Canary relative to baseline (0.25 = 25 % higher): rate ratio − 1 (Ratio, Sequential) or
/// mean ratio − 1; null when undefined (baseline zero).</param>
/// <param name="CiLow">Lower confidence bound of <paramref name="Effect"/>; null when unbounded or undefined.</param>
/// <param name="CiHigh">Upper confidence bound of <paramref name="Effect"/>; null when unbounded or undefined.</param>
/// <param name="BaselineCount">Observations (Continuous) or total events (Ratio) of the baseline.</param>
/// <param name="CanaryCount">Observations (Continuous) or total events (Ratio) of the canary.</param>
public sealed record MetricJudgement(
    string Metric,
    MetricClassification Classification,
    bool Critical,
    double? PValue,
    double? Effect,
    double? CiLow,
    double? CiHigh,
    long BaselineCount,
    long CanaryCount);

/// <summary>The verdict at one look.</summary>
/// <param name="Decision">Pending, Promote, Rollback or Inconclusive.</param>
/// <param name="Reason">One sentence naming the metric and the numbers.</param>
/// <param name="Score">100·pass/(pass + high + low), Kayenta's score; null when no metric could be judged.</param>
/// <param name="Metrics">Per-metric judgements, in configuration order.</param>
public sealed record CanaryVerdict(CanaryDecision Decision, string Reason, double? Score, IReadOnlyList<MetricJudgement> Metrics);

/// <summary>What has been ingested for one metric and cohort.</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Cohort">Baseline or canary.</param>
/// <param name="Observations">Usable values (Continuous; non-finite values are not counted) or batches (Ratio).</param>
/// <param name="Count">Ratio: sum of counts.</param>
/// <param name="Total">Ratio: sum of totals.</param>
/// <param name="Mean">Continuous: mean of the usable values.</param>
public sealed record CohortSummary(string Metric, CohortKind Cohort, long Observations, long? Count, long? Total, double? Mean);
