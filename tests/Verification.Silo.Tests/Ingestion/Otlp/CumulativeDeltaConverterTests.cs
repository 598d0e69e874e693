using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Otlp;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class CumulativeDeltaConverterTests
{
    private static readonly TelemetryLink Canary = new(DeploymentId, Api.Contracts.Cohort.Canary);

    private static double? Increase(DeltaSession session, string series, double value, double seconds, double startSeconds = -60)
    {
        var outcome = session.ToDelta(series, Canary, StartedAt, At(startSeconds), At(seconds), new CounterTotal(value), out var delta);
        Assert.NotEqual(DeltaOutcome.TooManySeries, outcome);
        return delta?.Value;
    }

    [Fact]
    public void ToDelta_SeveralPointsInOneSession_Chained()
    {
        var sut = new CumulativeDeltaConverter(new TelemetryIngestionOptions(), new ManualTimeProvider(StartedAt));
        var session = sut.BeginSession();

        double?[] increases =
        [
            Increase(session, "s", 10, 1), Increase(session, "s", 14, 2), Increase(session, "s", 14, 3), Increase(session, "s", 2, 4),
        ];

        Assert.Equal([null, 4, 0, 2], increases);
        Assert.Equal(0, sut.SeriesCount);
        session.Commit();
        Assert.Equal(1, sut.SeriesCount);
    }

    [Fact]
    public void Commit_SeriesIdleLongerThanTimeout_Evicted()
    {
        var clock = new ManualTimeProvider(StartedAt);
        var sut = new CumulativeDeltaConverter(new TelemetryIngestionOptions { SeriesIdleTimeout = TimeSpan.FromMinutes(10) }, clock);
        var first = sut.BeginSession();
        Increase(first, "idle", 10, 1);
        Increase(first, "busy", 10, 1);
        first.Commit();

        clock.Advance(TimeSpan.FromMinutes(6));
        var second = sut.BeginSession();
        Increase(second, "busy", 12, 400);
        second.Commit();
        clock.Advance(TimeSpan.FromMinutes(6));
        var third = sut.BeginSession();
        Increase(third, "busy", 13, 800);
        third.Commit();

        Assert.Equal(1, sut.SeriesCount);
        var fourth = sut.BeginSession();
        Assert.Equal(13, Increase(fourth, "busy", 26, 900));
    }

    [Fact]
    public void Commit_ConcurrentSessionsOnDistinctSeries_AllIncreasesKept()
    {
        var sut = new CumulativeDeltaConverter(new TelemetryIngestionOptions(), new ManualTimeProvider(StartedAt));
        var totals = new double[8];

        Parallel.For(0, totals.Length, worker =>
        {
            for (var step = 1; step <= 200; step++)
            {
                var session = sut.BeginSession();
                totals[worker] += Increase(session, $"series-{worker}", step * 3, step) ?? 0;
                session.Commit();
            }
        });

        // The first point of each series is its baseline (3); the other 199 steps add 3 each.
        Assert.All(totals, total => Assert.Equal(597, total));
        Assert.Equal(8, sut.SeriesCount);
    }

    [Fact]
    public void Commit_TwoRequestsPendingSameRatio_HalvesMergedAdditively()
    {
        var sut = Translator(out var converter);
        ExportMetricsServiceRequest Counter(string name, double value) => Request(Resource(DeploymentId, "canary",
            OtlpFixture.Counter(name, AggregationTemporality.Delta, Point(value, At(10), At(0)))));

        // Both requests read the same (empty) pending state before either commits.
        var first = sut.Translate(Counter("http.requests", 10), Lookup);
        var second = sut.Translate(Counter("http.requests", 5), Lookup);
        first.Commit();
        second.Commit();
        var paired = sut.Apply(Counter("http.errors", 2));

        Assert.Empty(first.Batches);
        Assert.Empty(second.Batches);
        Assert.Equal([(Api.Contracts.Cohort.Canary, "error-rate", 2L, 15L)], paired.Ratios());
        Assert.Equal(0, converter.PendingCount);
    }

    [Fact]
    public void Translate_CumulativeExponentialHistogramDownscales_ExactIncrease()
    {
        var sut = Translator(out _);
        ExportMetricsServiceRequest Durations(int scale, ulong[] positive, double seconds)
        {
            var point = new ExponentialHistogramDataPoint
            {
                Scale = scale, TimeUnixNano = At(seconds), StartTimeUnixNano = At(-60),
                Count = positive.Aggregate(0UL, (s, c) => s + c),
                Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 0 },
            };
            point.Positive.BucketCounts.AddRange(positive);
            var histogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative };
            histogram.DataPoints.Add(point);
            return Request(Resource(DeploymentId, "canary", new Metric { Name = "http.duration", ExponentialHistogram = histogram }));
        }

        sut.Apply(Durations(1, [1, 1, 1, 1], 10));
        var result = sut.Apply(Durations(0, [3, 5], 20));

        // Scale 0 buckets (1, 2] and (2, 4] gained 1 and 3 observations.
        var latency = Assert.Single(result.Batches, b => b.Metric == "latency");
        Assert.Equal([Math.Sqrt(2), Math.Sqrt(8), Math.Sqrt(8), Math.Sqrt(8)], latency.Values!);
        Assert.Equal([(Api.Contracts.Cohort.Canary, "slow", 4L, 4L)], result.Ratios());
    }
}
