namespace Verification.Analysis.Canary;

/// <summary>
/// The canary judge of one deployment: takes sample batches as they arrive and answers a verdict at any look.
/// Pure and synchronous — no clocks (elapsed time is an input), no I/O, not thread-safe (one grain turn at a time).
/// The verdict is a function of the stored samples and the configuration only: the same batches in any order give
/// the same verdict. <see cref="Evaluate"/> does not latch decisions; a caller that acts on Rollback or Promote keeps it.
/// <para>
/// Cost. <see cref="AnalysisMethod.Sequential"/>: O(batch) per ingest (sums, moments, a histogram increment per value),
/// Evaluate O(metrics × (a 24-point mixture per test, times about 60 bisection steps per confidence bound, + histogram buckets)), independent of the number of samples.
/// <see cref="AnalysisMethod.MannWhitney"/>: O(1) per value ingested; Evaluate sorts only values added since the last
/// look and merges (O(n + k log k)), then O(n) per root-finding step (about 3 × 20 steps) per metric.
/// </para>
/// </summary>
public sealed class CanaryAnalysis
{
    private readonly Dictionary<string, (CohortSamples Baseline, CohortSamples Canary)> _samples;
    private readonly double _alphaPerTest;
    private readonly double _alphaPerPromotionTest;

    /// <summary>Starts an analysis; validates the configuration.</summary>
    /// <exception cref="ArgumentException">No metrics, duplicate or blank names, α outside (0, 1), a negative
    /// allowedChange, or a minimum duration above the maximum.</exception>
    public CanaryAnalysis(CanaryConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(config.Metrics);
        if (config.Metrics.Count == 0)
        {
            throw new ArgumentException("at least one metric is required", nameof(config));
        }

        if (!(config.Alpha > 0 && config.Alpha < 1))
        {
            throw new ArgumentException($"alpha must lie strictly between 0 and 1; got {config.Alpha}", nameof(config));
        }

        if (config.MinDuration is { } min && config.MaxDuration is { } max && min > max)
        {
            throw new ArgumentException($"minDuration ({min}) exceeds maxDuration ({max})", nameof(config));
        }

        _samples = new Dictionary<string, (CohortSamples, CohortSamples)>(StringComparer.Ordinal);
        foreach (var metric in config.Metrics)
        {
            if (string.IsNullOrWhiteSpace(metric.Name))
            {
                throw new ArgumentException("metric names must not be blank", nameof(config));
            }

            if (metric.AllowedChange is { } allowed && !(allowed >= 0 && double.IsFinite(allowed)))
            {
                throw new ArgumentException($"metric '{metric.Name}': allowedChange must be a finite number ≥ 0; got {allowed}", nameof(config));
            }

            if (metric.PromotionMargin is { } margin && !(margin > 0 && double.IsFinite(margin)))
            {
                throw new ArgumentException($"metric '{metric.Name}': promotionMargin must be a finite number > 0; got {margin}", nameof(config));
            }

            if (!_samples.TryAdd(metric.Name, (new CohortSamples(metric.Kind, config.Method), new CohortSamples(metric.Kind, config.Method))))
            {
                throw new ArgumentException($"metric '{metric.Name}' is configured twice", nameof(config));
            }
        }

        if (!(config.SequentialMeanShare > 0 && config.SequentialMeanShare < 1))
        {
            throw new ArgumentException($"the mean test's share of α must be in (0, 1); got {config.SequentialMeanShare}", nameof(config));
        }

        Config = config;
        _alphaPerTest = config.Alpha / config.Metrics.Sum(SequentialJudge.TestCount);
        _alphaPerPromotionTest = config.Alpha / config.Metrics.Sum(SequentialJudge.PromotionTestCount);
    }

    /// <summary>The configuration this analysis judges by.</summary>
    public CanaryConfig Config { get; }

    /// <summary>Adds a ratio batch: <paramref name="count"/> events of interest out of <paramref name="total"/>.</summary>
    /// <exception cref="ArgumentException">Unknown metric, a continuous metric, or not 0 ≤ count ≤ total.</exception>
    public void AddRatio(string metric, CohortKind cohort, long count, long total)
    {
        if (count < 0 || total < 0 || count > total)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"metric '{metric}': need 0 ≤ count ≤ total; got count={count}, total={total}");
        }

        Cohort(metric, cohort, MetricKind.Ratio).AddRatio(count, total);
    }

    /// <summary>Adds observed values of a continuous metric; non-finite values are dropped and counted as invalid.</summary>
    /// <exception cref="ArgumentException">Unknown metric or a ratio metric.</exception>
    public void AddValues(string metric, CohortKind cohort, ReadOnlySpan<double> values) =>
        Cohort(metric, cohort, MetricKind.Continuous).AddValues(values);

    /// <summary>What has been ingested, per metric (configuration order) and cohort (baseline first).</summary>
    public IReadOnlyList<CohortSummary> Summaries() =>
        Config.Metrics.SelectMany(m => new[]
        {
            _samples[m.Name].Baseline.Summary(m.Name, CohortKind.Baseline),
            _samples[m.Name].Canary.Summary(m.Name, CohortKind.Canary),
        }).ToList();

    /// <summary>The verdict after <paramref name="elapsed"/> time since the analysis started.</summary>
    public CanaryVerdict Evaluate(TimeSpan elapsed)
    {
        var assessments = Config.Metrics.Select(metric =>
        {
            var (baseline, canary) = _samples[metric.Name];
            return Config.Method == AnalysisMethod.Sequential
                ? SequentialJudge.Assess(metric, baseline, canary, _alphaPerTest, _alphaPerPromotionTest, Config.SequentialMeanShare)
                : MannWhitneyJudge.Assess(metric, baseline, canary, Config.MannWhitneyConfidence, Config.MannWhitneyNeedsPValue);
        }).ToList();
        return VerdictPolicy.Decide(Config, assessments, elapsed);
    }

    private CohortSamples Cohort(string metric, CohortKind cohort, MetricKind kind)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!_samples.TryGetValue(metric, out var pair))
        {
            throw new ArgumentException($"unknown metric '{metric}'", nameof(metric));
        }

        if (pair.Baseline.Kind != kind)
        {
            throw new ArgumentException($"metric '{metric}' is {pair.Baseline.Kind}, not {kind}", nameof(metric));
        }

        return cohort == CohortKind.Baseline ? pair.Baseline : pair.Canary;
    }
}
