using System.Globalization;
using Verification.Silo.Protos.Otlp;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Otlp;

/// <summary>
/// Batch ids are what make a retried export count nothing twice, also when the retry reaches a newer silo: the same
/// export must give the same ids in every version. The expected ids were computed by the translator of `main` at
/// f3bad79 (before the series keys were built in a reusable buffer and looked up as spans); a change of the hashed
/// encoding fails here.
/// </summary>
public sealed class BatchIdGoldenTests
{
    private const AggregationTemporality Cumulative = AggregationTemporality.Cumulative;

    /// <summary>Counters, a gauge and a histogram on both cohorts, with a repeated key and a non-string attribute.</summary>
    private static ExportMetricsServiceRequest Export(double seconds, double errors, double requests, ulong[] buckets)
    {
        var more = new[] { Attr("service.name", "checkout"), new KeyValue { Key = "pod.index", Value = new AnyValue { IntValue = 3 } } };
        var pod = Attr("instance", "pod-1");
        return Request(
            Resource(DeploymentId, "baseline", more,
                Counter("http.errors", Cumulative, Point(errors, At(seconds), At(-60), pod, Attr("instance", "pod-2"))),
                Counter("http.requests", Cumulative, Point(requests, At(seconds), At(-60), pod)),
                Gauge("cpu", Point(0.25 * seconds, At(seconds), 0, pod))),
            Resource(DeploymentId, "canary", more,
                Counter("http.errors", Cumulative, Point(errors * 2, At(seconds), At(-60), pod)),
                Counter("http.requests", Cumulative, Point(requests, At(seconds), At(-60), pod)),
                Histogram("http.duration", Cumulative, HistogramPoint([0.1, 0.5, 1], buckets, At(seconds), At(-60)))));
    }

    [Fact]
    public void Translate_SameExportsAsBeforeTheKeyBuffer_SameBatchIds()
    {
        var sut = Translator(out _);

        var first = sut.Apply(Export(10, 1, 100, [5, 3, 1, 0]));
        var second = sut.Apply(Export(20, 4, 190, [9, 4, 3, 1]));

        Assert.Equal(["Baseline cpu otlp-38f3cec65183892e5f2603180e7a670c"], first.Batches.Select(b => $"{b.Cohort} {b.Metric} {b.BatchId}"));
        Assert.Equal(
            [
                "Baseline cpu otlp-0cb3ec562fe985cd6b5d1f1fc41aab99 5",
                "Canary latency otlp-e490a729460796a8d0dd425b6da5495d 0.1,0.1,0.1,0.1,0.3,0.75,0.75,1",
                "Baseline error-rate otlp-e76cc0cfac18f5c9586797949a9534f5 3/90",
                "Canary error-rate otlp-1373417f46bdf6608e70ba8e05da1718 6/90",
                "Canary slow otlp-a32e906cfa3ab7332ed2c5c0d4e9a847 3/8",
            ],
            second.Batches.Select(b => b.Values is { } values
                ? $"{b.Cohort} {b.Metric} {b.BatchId} {string.Join(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}"
                : $"{b.Cohort} {b.Metric} {b.BatchId} {b.Count}/{b.Total}"));
    }

    [Fact]
    public void Translate_RetryOfAnUncommittedExport_SameBatchIds()
    {
        var sut = Translator(out _);
        sut.Apply(Export(10, 1, 100, [5, 3, 1, 0]));

        var attempt = sut.Translate(Export(20, 4, 190, [9, 4, 3, 1]), Lookup);
        var retry = sut.Translate(Export(20, 4, 190, [9, 4, 3, 1]), Lookup);

        Assert.Equal(5, attempt.Batches.Count);
        Assert.Equal(attempt.Batches.Select(b => b.BatchId), retry.Batches.Select(b => b.BatchId));
    }
}
