using Verification.Analysis.Canary;
using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Canary;

public sealed class CanaryAnalysisTests
{
    private static readonly CanaryMetric Errors = new("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true);
    private static readonly CanaryMetric Latency = new("latency", MetricKind.Continuous, MetricDirection.Increase);

    [Fact]
    public void Constructor_NoMetrics_Throws()
    {
        Assert.Throws<ArgumentException>(() => new CanaryAnalysis(new CanaryConfig([])));
    }

    [Fact]
    public void Constructor_DuplicateMetric_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CanaryAnalysis(new CanaryConfig([Errors, Errors])));

        Assert.Contains("'errors' is configured twice", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Constructor_AlphaOutsideUnitInterval_Throws(double alpha)
    {
        Assert.Throws<ArgumentException>(() => new CanaryAnalysis(new CanaryConfig([Errors], Alpha: alpha)));
    }

    [Fact]
    public void Constructor_MinDurationAboveMax_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            new CanaryAnalysis(new CanaryConfig([Errors], MinDuration: TimeSpan.FromHours(2), MaxDuration: TimeSpan.FromHours(1))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_PromotionMarginNotPositiveFinite_Throws(double margin)
    {
        var metric = Errors with { PromotionMargin = margin };

        var ex = Assert.Throws<ArgumentException>(() => new CanaryAnalysis(new CanaryConfig([metric])));

        Assert.StartsWith("metric 'errors': promotionMargin must be a finite number > 0", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Roll back on any shown increase, promote once shown within +50 %; without the knob the margin is 10 %.</summary>
    [Theory]
    [InlineData(0.5, 300, 300, 30_000, CanaryDecision.Promote, MetricClassification.Pass)]
    [InlineData(0.5, 1_000, 1_300, 100_000, CanaryDecision.Rollback, MetricClassification.High)]
    [InlineData(null, 300, 300, 30_000, CanaryDecision.Pending, MetricClassification.Pass)]
    public void Evaluate_PromotionMarginApartFromAllowedChange_Decides(double? margin, long baselineErrors, long canaryErrors, long requests,
        CanaryDecision decision, MetricClassification classification)
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors with { PromotionMargin = margin }]));
        sut.AddRatio("errors", CohortKind.Baseline, baselineErrors, requests);
        sut.AddRatio("errors", CohortKind.Canary, canaryErrors, requests);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(decision, verdict.Decision);
        Assert.Equal(classification, verdict.Metrics.Single().Classification);
    }

    /// <summary>Weighted Bonferroni over a latency metric's mean and tail tests: each p-value divided by its share of the
    /// direction's 2·α/T, the smaller one reported times T = 2.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.75)]
    public void Evaluate_SequentialMeanShare_PValueIsWeightedBonferroni(double share)
    {
        var baselineValues = Enumerable.Range(0, 300).Select(i => 100.0 + (i % 25)).ToArray();
        var canaryValues = baselineValues.Select(v => v + 1.5).ToArray();
        var baseline = new CohortSamples(MetricKind.Continuous, AnalysisMethod.Sequential);
        var canary = new CohortSamples(MetricKind.Continuous, AnalysisMethod.Sequential);
        baseline.AddValues(baselineValues);
        canary.AddValues(canaryValues);
        var pMean = MeanDifferenceTest.Of(canary.Moments, baseline.Moments).PValueAbove(0);
        var pTail = SequentialJudge.Tail(baseline.Histogram, canary.Histogram, upper: true).PValueAbove(0);
        var sut = new CanaryAnalysis(new CanaryConfig([Latency]) with { SequentialMeanShare = share });
        sut.AddValues("latency", CohortKind.Baseline, baselineValues);
        sut.AddValues("latency", CohortKind.Canary, canaryValues);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(Math.Min(1, 2 * Math.Min(pMean / (2 * share), pTail / (2 * (1 - share)))), verdict.Metrics.Single().PValue!.Value, 1e-15);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Constructor_SequentialMeanShareOutsideUnitInterval_Throws(double share)
    {
        Assert.Throws<ArgumentException>(() => new CanaryAnalysis(new CanaryConfig([Latency]) with { SequentialMeanShare = share }));
    }

    [Fact]
    public void AddRatio_CountAboveTotal_Throws()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.AddRatio("errors", CohortKind.Canary, 11, 10));
    }

    [Fact]
    public void AddValues_RatioMetric_Throws()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));

        var ex = Assert.Throws<ArgumentException>(() => sut.AddValues("errors", CohortKind.Canary, [1.0]));

        Assert.Contains("'errors' is Ratio, not Continuous", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRatio_UnknownMetric_Throws()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));

        Assert.Throws<ArgumentException>(() => sut.AddRatio("nope", CohortKind.Canary, 1, 10));
    }

    [Fact]
    public void Evaluate_NoData_PendingAndNamesMetric()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(5));

        Assert.Equal(CanaryDecision.Pending, verdict.Decision);
        Assert.Equal("Collecting: metric 'errors' has no data from either cohort.", verdict.Reason);
        Assert.Null(verdict.Score);
        Assert.Equal(new MetricJudgement("errors", MetricClassification.NoData, true, null, null, null, null, 0, 0), verdict.Metrics.Single());
    }

    [Fact]
    public void Evaluate_MissingCanaryAfterMaxDuration_Inconclusive()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors], MaxDuration: TimeSpan.FromMinutes(30)));
        sut.AddRatio("errors", CohortKind.Baseline, 3, 1000);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(30));

        Assert.Equal(CanaryDecision.Inconclusive, verdict.Decision);
        Assert.Equal("Maximum duration 1800 s passed undecided: metric 'errors' has no data from the canary.", verdict.Reason);
    }

    [Fact]
    public void Evaluate_ZeroErrorBaselineAgainst20ErrorsIn10000_Rollback()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));
        sut.AddRatio("errors", CohortKind.Baseline, 0, 10_000);
        sut.AddRatio("errors", CohortKind.Canary, 20, 10_000);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(CanaryDecision.Rollback, verdict.Decision);
        var errors = verdict.Metrics.Single();
        Assert.Equal(MetricClassification.High, errors.Classification);
        Assert.Null(errors.Effect);
        Assert.Null(errors.CiHigh);
        Assert.Equal(0.00047255414654141407, errors.PValue!.Value, 1e-12);
        Assert.StartsWith("Critical metric 'errors' change undefined (baseline zero) (CI +", verdict.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" to unbounded, p = 0.000473; 10000 baseline vs 10000 canary events) is higher on the canary.", verdict.Reason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SameBatchesInAnyOrder_SameVerdict()
    {
        var config = new CanaryConfig([Errors, Latency]);
        var random = new Random(7);
        var batches = Enumerable.Range(0, 30).Select(i => (
            Cohort: i % 2 == 0 ? CohortKind.Baseline : CohortKind.Canary,
            Count: (long)random.Next(0, 20),
            Values: Enumerable.Range(0, 50).Select(_ => 80 + (40 * random.NextDouble()) + (i % 2 * 3)).ToArray())).ToList();
        var forward = new CanaryAnalysis(config);
        var shuffled = new CanaryAnalysis(config);
        foreach (var b in batches)
        {
            forward.AddRatio("errors", b.Cohort, b.Count, 1000);
            forward.AddValues("latency", b.Cohort, b.Values);
        }

        foreach (var b in batches.OrderBy(_ => random.Next()))
        {
            shuffled.AddRatio("errors", b.Cohort, b.Count, 1000);
            shuffled.AddValues("latency", b.Cohort, b.Values);
        }

        var expected = forward.Evaluate(TimeSpan.FromMinutes(10));

        var sut = shuffled.Evaluate(TimeSpan.FromMinutes(10));

        Assert.Equal(expected.Decision, sut.Decision);
        Assert.Equal(expected.Reason, sut.Reason);
        Assert.Equal(expected.Metrics.Select(m => (m.Classification, m.BaselineCount, m.CanaryCount)),
            sut.Metrics.Select(m => (m.Classification, m.BaselineCount, m.CanaryCount)));
        Assert.Equal(expected.Metrics[1].PValue!.Value, sut.Metrics[1].PValue!.Value, 1e-12);
    }

    [Fact]
    public void Evaluate_AllValuesNaN_ErrorNeverPromotes()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Latency], MaxDuration: TimeSpan.FromMinutes(10)));
        sut.AddValues("latency", CohortKind.Baseline, Enumerable.Repeat(100.0, 100).ToArray());
        sut.AddValues("latency", CohortKind.Canary, [double.NaN, double.NaN, double.PositiveInfinity]);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(10));

        Assert.Equal(CanaryDecision.Inconclusive, verdict.Decision);
        Assert.Equal(MetricClassification.Error, verdict.Metrics.Single().Classification);
        Assert.Equal(
            "Maximum duration 600 s passed undecided: metric 'latency' (100 baseline vs 0 canary values) has no usable data (all samples were invalid).",
            verdict.Reason);
    }

    [Fact]
    public void Evaluate_HealthyBeforeMinDuration_PendingThenPromote()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors, Latency], MinDuration: TimeSpan.FromMinutes(10)));
        var random = new Random(11);
        for (var i = 0; i < 40; i++)
        {
            sut.AddRatio("errors", CohortKind.Baseline, 1000, 100_000);
            sut.AddRatio("errors", CohortKind.Canary, 1000, 100_000);
            sut.AddValues("latency", CohortKind.Baseline, Enumerable.Range(0, 200).Select(_ => 90 + (20 * random.NextDouble())).ToArray());
            sut.AddValues("latency", CohortKind.Canary, Enumerable.Range(0, 200).Select(_ => 90 + (20 * random.NextDouble())).ToArray());
        }

        var early = sut.Evaluate(TimeSpan.FromMinutes(9));
        var verdict = sut.Evaluate(TimeSpan.FromMinutes(10));

        Assert.Equal(CanaryDecision.Pending, early.Decision);
        Assert.Equal("Collecting: the minimum duration 600 s has not passed (540 s).", early.Reason);
        Assert.Equal(CanaryDecision.Promote, verdict.Decision);
        Assert.Equal(100, verdict.Score);
        Assert.StartsWith("All 2 metrics are shown within their allowed change after 600 s; score 100: 'errors' 0.0 % (CI ", verdict.Reason,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TwoOfThreeNonCriticalMetricsHigh_RollbackOnScore()
    {
        CanaryMetric[] metrics =
        [
            new("a", MetricKind.Ratio, MetricDirection.Increase),
            new("b", MetricKind.Ratio, MetricDirection.Increase),
            new("c", MetricKind.Ratio, MetricDirection.Increase),
        ];
        var sut = new CanaryAnalysis(new CanaryConfig(metrics));
        foreach (var (name, canaryCount) in new[] { ("a", 400L), ("b", 400L), ("c", 100L) })
        {
            sut.AddRatio(name, CohortKind.Baseline, 100, 10_000);
            sut.AddRatio(name, CohortKind.Canary, canaryCount, 10_000);
        }

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(CanaryDecision.Rollback, verdict.Decision);
        Assert.Equal(100.0 / 3, verdict.Score!.Value, 1e-12);
        Assert.StartsWith("Score 33.3 is below the marginal threshold 75: 'a' +300.0 % (CI +", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal([MetricClassification.High, MetricClassification.High, MetricClassification.Pass],
            verdict.Metrics.Select(m => m.Classification));
    }

    [Fact]
    public void Evaluate_IncreaseWithinAllowedChange_NotHigh()
    {
        var metric = new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true, AllowedChange: 0.5);
        var sut = new CanaryAnalysis(new CanaryConfig([metric]));
        sut.AddRatio("errors", CohortKind.Baseline, 10_000, 1_000_000);
        sut.AddRatio("errors", CohortKind.Canary, 12_000, 1_000_000);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(CanaryDecision.Promote, verdict.Decision);
        Assert.Equal(MetricClassification.Pass, verdict.Metrics.Single().Classification);
        Assert.Equal(0.2, verdict.Metrics.Single().Effect!.Value, 1e-12);
        Assert.True(verdict.Metrics.Single().PValue < 1e-6);
    }

    [Fact]
    public void Evaluate_DecreaseWhenIncreaseIsBad_Pass()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors]));
        sut.AddRatio("errors", CohortKind.Baseline, 500, 10_000);
        sut.AddRatio("errors", CohortKind.Canary, 100, 10_000);

        var verdict = sut.Evaluate(TimeSpan.FromMinutes(1));

        Assert.Equal(MetricClassification.Pass, verdict.Metrics.Single().Classification);
        Assert.Equal(-0.8, verdict.Metrics.Single().Effect!.Value, 1e-12);
        Assert.Equal(CanaryDecision.Promote, verdict.Decision);
    }

    [Fact]
    public void Evaluate_MannWhitneyIdenticalSamples_PassWithRatioOne()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Latency], AnalysisMethod.MannWhitney));
        double[] values = [10, 12, 11, 15, 9];
        sut.AddValues("latency", CohortKind.Baseline, values);
        sut.AddValues("latency", CohortKind.Canary, values.Reverse().ToArray());

        var judgement = sut.Evaluate(TimeSpan.Zero).Metrics.Single();

        Assert.Equal(new MetricJudgement("latency", MetricClassification.Pass, false, 1, 0, 0, 0, 5, 5), judgement);
    }

    [Fact]
    public void Evaluate_MannWhitneyShiftedUp_HighAndRollbackWhenCritical()
    {
        var metric = Latency with { Critical = true };
        var sut = new CanaryAnalysis(new CanaryConfig([metric], AnalysisMethod.MannWhitney));
        var baseline = Enumerable.Range(0, 60).Select(i => 100.0 + i).ToArray();
        sut.AddValues("latency", CohortKind.Baseline, baseline);
        sut.AddValues("latency", CohortKind.Canary, baseline.Select(v => v + 40).ToArray());

        var verdict = sut.Evaluate(TimeSpan.Zero);

        var judgement = verdict.Metrics.Single();
        Assert.Equal(CanaryDecision.Rollback, verdict.Decision);
        Assert.Equal(MetricClassification.High, judgement.Classification);
        Assert.Equal(40 / 129.5, judgement.Effect!.Value, 1e-12);
    }

    [Fact]
    public void Evaluate_MannWhitneyShiftedUpButDecreaseIsBad_Pass()
    {
        var metric = Latency with { Direction = MetricDirection.Decrease };
        var sut = new CanaryAnalysis(new CanaryConfig([metric], AnalysisMethod.MannWhitney));
        var baseline = Enumerable.Range(0, 60).Select(i => 100.0 + i).ToArray();
        sut.AddValues("latency", CohortKind.Baseline, baseline);
        sut.AddValues("latency", CohortKind.Canary, baseline.Select(v => v + 40).ToArray());

        var judgement = sut.Evaluate(TimeSpan.Zero).Metrics.Single();

        Assert.Equal(MetricClassification.Pass, judgement.Classification);
    }

    [Fact]
    public void Evaluate_MannWhitneyOneValuePerCohort_Error()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Latency], AnalysisMethod.MannWhitney));
        sut.AddValues("latency", CohortKind.Baseline, [100.0]);
        sut.AddValues("latency", CohortKind.Canary, [130.0]);

        var verdict = sut.Evaluate(TimeSpan.Zero);

        Assert.Equal(MetricClassification.Error, verdict.Metrics.Single().Classification);
        Assert.Equal(CanaryDecision.Pending, verdict.Decision);
    }

    [Fact]
    public void Evaluate_MannWhitneyRatioMetric_JudgesPerBatchRatios()
    {
        var metric = Errors with { Critical = false };
        var sut = new CanaryAnalysis(new CanaryConfig([metric], AnalysisMethod.MannWhitney));
        for (var i = 0; i < 20; i++)
        {
            sut.AddRatio("errors", CohortKind.Baseline, 5 + (i % 3), 500);
            sut.AddRatio("errors", CohortKind.Canary, 20 + (i % 4), 500);
        }

        sut.AddRatio("errors", CohortKind.Canary, 0, 0);

        var judgement = sut.Evaluate(TimeSpan.Zero).Metrics.Single();

        Assert.Equal(MetricClassification.High, judgement.Classification);
        Assert.Equal(10_000, judgement.BaselineCount);
        Assert.Equal(10_000, judgement.CanaryCount);
        Assert.Equal((21.5 / 500) / (5.95 / 500) - 1, judgement.Effect!.Value, 1e-12);
    }

    [Fact]
    public void Summaries_AfterBatches_CountsSumsAndMeans()
    {
        var sut = new CanaryAnalysis(new CanaryConfig([Errors, Latency], AnalysisMethod.MannWhitney));
        sut.AddRatio("errors", CohortKind.Baseline, 2, 100);
        sut.AddRatio("errors", CohortKind.Baseline, 3, 200);
        sut.AddValues("latency", CohortKind.Canary, [10.0, 20.0, double.NaN, 60.0]);

        var summaries = sut.Summaries();

        Assert.Equal(
            [
                new CohortSummary("errors", CohortKind.Baseline, 2, 5, 300, null),
                new CohortSummary("errors", CohortKind.Canary, 0, 0, 0, null),
                new CohortSummary("latency", CohortKind.Baseline, 0, null, null, null),
                new CohortSummary("latency", CohortKind.Canary, 3, null, null, 30.0),
            ],
            summaries);
    }
}
