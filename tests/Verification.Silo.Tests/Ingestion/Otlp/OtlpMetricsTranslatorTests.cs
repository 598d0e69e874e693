using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Otlp;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class OtlpMetricsTranslatorTests
{
    private const AggregationTemporality Delta = AggregationTemporality.Delta;
    private const AggregationTemporality Cumulative = AggregationTemporality.Cumulative;

    private static ExportMetricsServiceRequest Counters(
        string cohort, AggregationTemporality temporality, double errors, double requests, double seconds, double startSeconds) =>
        Request(Resource(DeploymentId, cohort,
            Counter("http.errors", temporality, Point(errors, At(seconds), At(startSeconds))),
            Counter("http.requests", temporality, Point(requests, At(seconds), At(startSeconds)))));

    [Fact]
    public void Translate_DeltaCountAndTotalInOneExport_OneRatioBatch()
    {
        var sut = Translator(out _);

        var result = sut.Apply(Counters("canary", Delta, 2, 50, 10, 0));

        var batch = Assert.Single(result.Batches);
        Assert.Equal(
            new SamplesInput(DeploymentId, Cohort.Canary, "error-rate", null, 2, 50, StartedAt.AddSeconds(10), batch.BatchId), batch);
        Assert.StartsWith("otlp-", batch.BatchId, StringComparison.Ordinal);
        Assert.Equal(2, result.AcceptedDataPoints);
        Assert.Equal(0, result.RejectedDataPoints);
        Assert.Null(result.ToOtlpResponse().PartialSuccess);
    }

    [Fact]
    public void Translate_CumulativeStartedBeforeDeployment_FirstIsBaselineThenIncreases()
    {
        var sut = Translator(out _);

        var first = sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));
        var second = sut.Apply(Counters("baseline", Cumulative, 7, 150, 20, -3600));

        Assert.Empty(first.Batches);
        Assert.Equal(2, first.AcceptedDataPoints);
        Assert.Equal([(Cohort.Baseline, "error-rate", 2L, 50L)], second.Ratios());
    }

    [Fact]
    public void Translate_RepeatedIdenticalCumulativeExport_CountsZero()
    {
        var sut = Translator(out _);
        sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));
        sut.Apply(Counters("baseline", Cumulative, 7, 150, 20, -3600));

        var repeated = sut.Apply(Counters("baseline", Cumulative, 7, 150, 20, -3600));

        Assert.Empty(repeated.Batches);
        Assert.Equal(0, repeated.RejectedDataPoints);
    }

    [Fact]
    public void Translate_CumulativeValueDecreases_ResetCountsNewValueFromZero()
    {
        var sut = Translator(out _);
        sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));

        var reset = sut.Apply(Counters("baseline", Cumulative, 1, 10, 20, -3600));

        Assert.Equal([(Cohort.Baseline, "error-rate", 1L, 10L)], reset.Ratios());
    }

    [Fact]
    public void Translate_CumulativeStartTimeChanges_ResetCountsNewValueFromZero()
    {
        var sut = Translator(out _);
        sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));

        // Higher values than before, but a new start time: the process restarted.
        var restarted = sut.Apply(Counters("baseline", Cumulative, 6, 120, 30, 25));
        var older = sut.Apply(Counters("baseline", Cumulative, 9, 200, 40, -3600));

        Assert.Equal([(Cohort.Baseline, "error-rate", 6L, 120L)], restarted.Ratios());
        Assert.Empty(older.Batches);
    }

    [Fact]
    public void Translate_CumulativeStartedAfterDeployment_FirstPointCountedFully()
    {
        var sut = Translator(out _);

        var result = sut.Apply(Counters("canary", Cumulative, 1, 40, 10, 5));

        Assert.Equal([(Cohort.Canary, "error-rate", 1L, 40L)], result.Ratios());
    }

    [Fact]
    public void Translate_SeriesAppearsAfterCohortWasSeen_CountedFully()
    {
        var sut = Translator(out _);
        sut.Apply(Request(Resource(DeploymentId, "baseline", Counter("http.requests", Cumulative, Point(100, At(10), At(-3600))))));

        // The error counter exists only since the first error, yet carries the process start time.
        var result = sut.Apply(Counters("baseline", Cumulative, 3, 130, 20, -3600));

        Assert.Equal([(Cohort.Baseline, "error-rate", 3L, 30L)], result.Ratios());
    }

    [Fact]
    public void Translate_SeveralPodsOfOneCohort_SeparateSeriesSummed()
    {
        var sut = Translator(out _);
        ExportMetricsServiceRequest Pods(double errorsA, double errorsB, double seconds) => Request(
            Resource(DeploymentId, "canary", [Attr("service.instance.id", "a")],
                Counter("http.errors", Cumulative, Point(errorsA, At(seconds), At(1))),
                Counter("http.requests", Cumulative, Point(10 * errorsA, At(seconds), At(1)))),
            Resource(DeploymentId, "canary", [Attr("service.instance.id", "b")],
                Counter("http.errors", Cumulative, Point(errorsB, At(seconds), At(2))),
                Counter("http.requests", Cumulative, Point(10 * errorsB, At(seconds), At(2)))));

        var first = sut.Apply(Pods(1, 2, 10));
        var second = sut.Apply(Pods(4, 3, 20));

        Assert.Equal([(Cohort.Canary, "error-rate", 3L, 30L)], first.Ratios());
        Assert.Equal([(Cohort.Canary, "error-rate", 4L, 40L)], second.Ratios());
    }

    [Fact]
    public void Translate_NotCommitted_RetryGivesSameBatchesAndCommitMakesThemZero()
    {
        var sut = Translator(out _);
        sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));
        var request = Counters("baseline", Cumulative, 7, 150, 20, -3600);

        var failed = sut.Translate(request, Lookup);
        var retried = sut.Translate(request, Lookup);
        retried.Commit();
        var again = sut.Apply(request);

        Assert.Equal(failed.Batches, retried.Batches);
        Assert.Equal([(Cohort.Baseline, "error-rate", 2L, 50L)], retried.Ratios());
        Assert.Empty(again.Batches);
    }

    [Fact]
    public void Translate_PointAttributesOverrideResource_LinkedPerPoint()
    {
        var sut = Translator(out _);
        var request = Request(Resource(DeploymentId, "baseline",
            Gauge("cpu",
                Point(0.25, At(10)),
                Point(0.5, At(10), 0, Attr("deployment.cohort", "canary")),
                Point(0.75, At(10), 0, Attr("deployment.id", "dep-2")))));

        var result = sut.Apply(request);

        Assert.Equal(
            [(Cohort.Baseline, "cpu", (IReadOnlyList<double>)[0.25]), (Cohort.Canary, "cpu", [0.5])],
            result.Batches.Select(b => (b.Cohort, b.Metric, b.Values!)).ToArray());
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.UnknownDeployment] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_PointsOfACompletedDeployment_RejectedWithTheReason()
    {
        var sut = Translator(out _);
        var finished = Target with { Status = DeploymentStatus.Promoted };

        var result = sut.Translate(Request(Resource(DeploymentId, "canary", Gauge("cpu", Point(1, At(1)), Point(2, At(1))))),
            id => id == DeploymentId ? finished : null);

        Assert.Empty(result.Batches);
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.FinishedDeployment] = 2 }, result.Rejections);
        Assert.Equal(
            "2 data point(s) rejected: 2 for a deployment already completed (its verdict no longer changes) (e.g. 'dep-1')",
            result.ToOtlpResponse().PartialSuccess.ErrorMessage);
    }

    [Fact]
    public void Translate_UnlinkableOrUnknownPoints_CountedByReason()
    {
        var sut = Translator(out _);
        var request = Request(
            Resource("dep-unknown", "canary", Gauge("cpu", Point(1, At(1)))),
            Resource(DeploymentId, "canary", Gauge("memory", Point(1, At(1)), Point(2, At(1)))),
            Resource(DeploymentId, null, Gauge("cpu", Point(1, At(1)))),
            Resource(DeploymentId, "green", Gauge("cpu", Point(1, At(1)))),
            Resource(null, "canary", Gauge("cpu", Point(1, At(1)))),
            Resource(DeploymentId, "canary", Gauge("cpu", Point(double.NaN, At(1)), Point(1, 0))),
            Resource(DeploymentId, "canary", Gauge("http.errors", Point(1, At(1)))));

        var result = sut.Apply(request);

        Assert.Empty(result.Batches);
        Assert.Equal(9, result.RejectedDataPoints);
        Assert.Equal(
            new Dictionary<RejectReason, long>
            {
                [RejectReason.UnknownDeployment] = 1,
                [RejectReason.UnknownMetric] = 2,
                [RejectReason.MissingCohort] = 2,
                [RejectReason.MissingDeployment] = 1,
                [RejectReason.BadValue] = 2,
                [RejectReason.UnsupportedType] = 1,
            },
            result.Rejections);
        var partial = result.ToOtlpResponse().PartialSuccess;
        Assert.Equal(9, partial.RejectedDataPoints);
        Assert.Equal(
            "9 data point(s) rejected: 1 without deployment.id (e.g. 'cpu'); 1 for an unknown deployment (e.g. 'dep-unknown'); "
            + "2 without deployment.cohort baseline|canary (e.g. 'cpu' of 'dep-1' with cohort ''); "
            + "2 for no registered metric (e.g. 'memory' of 'dep-1'); "
            + "1 of an instrument type the metric cannot use (e.g. gauge 'http.errors'); 2 with a bad value (e.g. 'cpu' value NaN)",
            partial.ErrorMessage);
    }

    [Fact]
    public void Translate_GaugeAndNonMonotonicSum_ContinuousValues()
    {
        var sut = Translator(out _);
        var request = Request(Resource(DeploymentId, "canary",
            Gauge("cpu", Point(0.5, At(10)), Point(0.7, At(20))),
            Sum("cpu", Cumulative, monotonic: false, Point(0.9, At(30)))));

        var result = sut.Apply(request);

        var batch = Assert.Single(result.Batches);
        Assert.Equal([0.5, 0.7, 0.9], batch.Values!);
        Assert.Equal(StartedAt.AddSeconds(30), batch.At);
        Assert.Null(batch.Count);
    }

    [Fact]
    public void Translate_MonotonicSumForContinuousMetric_RejectedAsUnsupported()
    {
        var sut = Translator(out _);

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", Counter("cpu", Delta, Point(3, At(1))))));

        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.UnsupportedType] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_TotalWithoutCount_WaitsOneWindowThenCountIsZero()
    {
        var sut = Translator(out _);
        ExportMetricsServiceRequest Requests(double value, double seconds) =>
            Request(Resource(DeploymentId, "canary", Counter("http.requests", Delta, Point(value, At(seconds), At(seconds - 10)))));

        var first = sut.Apply(Requests(10, 10));
        var second = sut.Apply(Requests(20, 20));

        Assert.Empty(first.Batches);
        Assert.Equal([(Cohort.Canary, "error-rate", 0L, 30L)], second.Ratios());
    }

    [Fact]
    public void Translate_CountArrivesInLaterRequest_PairedWithWaitingTotal()
    {
        var sut = Translator(out var converter);
        sut.Apply(Request(Resource(DeploymentId, "canary", Counter("http.requests", Delta, Point(10, At(10), At(0))))));

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", Counter("http.errors", Delta, Point(1, At(10), At(0))))));

        Assert.Equal([(Cohort.Canary, "error-rate", 1L, 10L)], result.Ratios());
        Assert.Equal(0, converter.PendingCount);
    }

    [Fact]
    public void Translate_CountAboveTotal_CappedAndRestCarried()
    {
        var sut = Translator(out _);

        var first = sut.Apply(Counters("canary", Delta, 5, 3, 10, 0));
        var second = sut.Apply(Counters("canary", Delta, 0, 10, 20, 10));

        Assert.Equal([(Cohort.Canary, "error-rate", 3L, 3L)], first.Ratios());
        Assert.Equal([(Cohort.Canary, "error-rate", 2L, 10L)], second.Ratios());
    }

    [Fact]
    public void Translate_DeltaHistogram_ObservationsAndShareAboveThreshold()
    {
        var sut = Translator(out _);
        var request = Request(Resource(DeploymentId, "canary",
            Histogram("http.duration", Delta, HistogramPoint([0.1, 0.5, 1], [1, 2, 1, 1], At(10), At(0)))));

        var result = sut.Apply(request);

        var latency = Assert.Single(result.Batches, b => b.Metric == "latency");
        Assert.Equal([0.1, 0.3, 0.3, 0.75, 1], latency.Values!);
        Assert.Equal([(Cohort.Canary, "slow", 2L, 5L)], result.Ratios());
        Assert.Equal(1, result.AcceptedDataPoints);
    }

    [Fact]
    public void Translate_CumulativeHistogram_SecondExportGivesBucketIncreases()
    {
        var sut = Translator(out _);
        ExportMetricsServiceRequest Durations(ulong[] counts, double seconds) => Request(Resource(DeploymentId, "baseline",
            Histogram("http.duration", Cumulative, HistogramPoint([0.1, 0.5, 1], counts, At(seconds), At(-60), min: 0.01, max: 9))));

        var first = sut.Apply(Durations([1, 1, 0, 0], 10));
        var second = sut.Apply(Durations([1, 3, 1, 2], 20));

        Assert.Empty(first.Batches);
        var latency = Assert.Single(second.Batches, b => b.Metric == "latency");
        // min/max describe the whole cumulative window, not the increase, so open buckets stand at their bounds.
        Assert.Equal([0.3, 0.3, 0.75, 1, 1], latency.Values!);
        Assert.Equal([(Cohort.Baseline, "slow", 3L, 5L)], second.Ratios());
    }

    [Fact]
    public void Translate_HistogramWithoutBucketsOrSum_BadValueForContinuous()
    {
        var sut = Translator(out _);
        var point = new HistogramDataPoint { TimeUnixNano = At(10), StartTimeUnixNano = At(0), Count = 4 };

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", Histogram("http.duration", Delta, point))));

        Assert.Empty(result.Batches);
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.BadValue] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_HistogramWithoutBucketsButSum_MeanStandsForAll()
    {
        var sut = Translator(out _);
        var point = new HistogramDataPoint { TimeUnixNano = At(10), StartTimeUnixNano = At(0), Count = 4, Sum = 2 };

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", Histogram("http.duration", Delta, point))));

        Assert.Equal([0.5, 0.5, 0.5, 0.5], Assert.Single(result.Batches, b => b.Metric == "latency").Values!);
    }

    [Fact]
    public void Translate_ExponentialBucketBeyondDoubleRange_BadValue()
    {
        var sut = Translator(out _);
        var point = new ExponentialHistogramDataPoint
        {
            Scale = 0, TimeUnixNano = At(10), StartTimeUnixNano = At(0), Count = 1,
            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 5000 },
        };
        point.Positive.BucketCounts.Add(1);
        var histogram = new ExponentialHistogram { AggregationTemporality = Delta };
        histogram.DataPoints.Add(point);

        var metric = new Metric { Name = "http.duration", ExponentialHistogram = histogram };

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", metric)));

        Assert.Empty(result.Batches);
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.BadValue] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_ObservationsOverRequestBudget_LaterPointsRejected()
    {
        var sut = Translator(out _, new TelemetryIngestionOptions { MaxObservationsPerRequest = 6 });
        var request = Request(Resource(DeploymentId, "canary",
            Histogram("http.duration", Delta,
                HistogramPoint([1], [2, 2], At(10), At(0)),
                HistogramPoint([1], [1, 2], At(10), At(0), min: 0, max: 3)),
            Gauge("cpu", Point(0.5, At(10)), Point(0.6, At(10)))));

        var result = sut.Apply(request);

        Assert.Equal([1, 1, 1, 1], Assert.Single(result.Batches, b => b.Metric == "latency").Values!);
        Assert.Equal([0.5, 0.6], Assert.Single(result.Batches, b => b.Metric == "cpu").Values!);
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.TooManyObservations] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_Summary_RejectedAsUnsupported()
    {
        var sut = Translator(out _);
        var summary = new Summary();
        summary.DataPoints.Add(new SummaryDataPoint { TimeUnixNano = At(1), Count = 3, Sum = 1.5 });

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", new Metric { Name = "http.duration", Summary = summary })));

        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.UnsupportedType] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_NoRecordedValueFlag_SkippedWithoutRejection()
    {
        var sut = Translator(out _);
        var point = Point(1, At(1));
        point.Flags = (uint)DataPointFlags.NoRecordedValueMask;

        var result = sut.Apply(Request(Resource(DeploymentId, "canary", Gauge("cpu", point))));

        Assert.Empty(result.Batches);
        Assert.Equal(0, result.AcceptedDataPoints);
        Assert.Equal(0, result.RejectedDataPoints);
    }

    [Fact]
    public void Translate_SeriesLimitReached_NewSeriesRejected()
    {
        var sut = Translator(out var converter, new TelemetryIngestionOptions { MaxSeries = 1 });

        var result = sut.Apply(Counters("baseline", Cumulative, 5, 100, 10, -3600));

        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.TooManySeries] = 1 }, result.Rejections);
        Assert.Equal(1, converter.SeriesCount);
    }

    [Fact]
    public void DeploymentIds_ResourceAndPointAttributes_Distinct()
    {
        var request = Request(
            Resource(DeploymentId, "canary", Gauge("cpu", Point(1, At(1)), Point(1, At(1), 0, Attr("deployment.id", "dep-2")))),
            Resource(DeploymentId, "baseline"));

        var ids = OtlpMetricsTranslator.DeploymentIds(request);

        Assert.Equal(["dep-1", "dep-2"], ids.Order(StringComparer.Ordinal));
    }
}
