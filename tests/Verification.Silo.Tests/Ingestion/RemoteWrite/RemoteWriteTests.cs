using Google.Protobuf;
using IronSnappy;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Ingestion.RemoteWrite;
using Verification.Silo.Protos.Prometheus;
using Verification.Silo.Tests.Ingestion.Otlp;

namespace Verification.Silo.Tests.Ingestion.RemoteWrite;

public sealed class RemoteWriteTests
{
    private static readonly double StaleNaN = BitConverter.UInt64BitsToDouble(0x7ff0000000000002);

    private static long Ms(double seconds) => OtlpFixture.StartedAt.AddSeconds(seconds).ToUnixTimeMilliseconds();

    private static TimeSeries Series(
        string name, string cohort, (string Name, string Value)[] labels, params (double Value, double Seconds)[] samples)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = name });
        series.Labels.Add(new Label { Name = "deployment_id", Value = OtlpFixture.DeploymentId });
        series.Labels.Add(new Label { Name = "deployment_cohort", Value = cohort });
        series.Labels.AddRange(labels.Select(l => new Label { Name = l.Name, Value = l.Value }));
        series.Samples.AddRange(samples.Select(s => new Sample { Value = s.Value, Timestamp = Ms(s.Seconds) }));
        return series;
    }

    private static WriteRequest Write(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.AddRange(series);
        return request;
    }

    private static RemoteWriteTranslator Translator(out CumulativeDeltaConverter converter)
    {
        var options = new TelemetryIngestionOptions();
        converter = new CumulativeDeltaConverter(options, new ManualTimeProvider(OtlpFixture.StartedAt));
        return new RemoteWriteTranslator(converter, options);
    }

    private static TelemetryTranslation Apply(RemoteWriteTranslator sut, WriteRequest request)
    {
        var translation = sut.Translate(request, OtlpFixture.Lookup);
        translation.Commit();
        return translation;
    }

    private static WriteRequest Counters(double errors, double requests, double seconds) => Write(
        Series("http_errors_total", "canary", [("pod", "a")], (errors, seconds)),
        Series("http_requests_total", "canary", [("pod", "a")], (requests, seconds)));

    [Fact]
    public async Task DecodeAsync_SnappyWriteRequest_RoundTrips()
    {
        var request = Counters(5, 100, 10);
        request.Metadata.Add(new MetricMetadata { Type = MetricMetadata.Types.MetricType.Counter, MetricFamilyName = "http_errors" });
        using var body = new MemoryStream(Snappy.Encode(request.ToByteArray()));

        var sut = await RemoteWriteDecoder.DecodeAsync(body, "snappy", 1 << 20, null, CancellationToken.None);

        Assert.Equal(request, sut);
    }

    [Fact]
    public void Decode_DecompressedLengthOverLimit_TooLargeBeforeDecompressing()
    {
        var block = Snappy.Encode(new byte[2 << 20]);

        var error = Assert.Throws<TelemetryDecodeException>(() => RemoteWriteDecoder.Decode(block, 1 << 20));

        Assert.Equal(TelemetryDecodeError.TooLarge, error.Error);
        Assert.True(block.Length < 1 << 20);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(new byte[0])]
    public void Decode_NotSnappy_MalformedSnappy(byte[] body)
    {
        var error = Assert.Throws<TelemetryDecodeException>(() => RemoteWriteDecoder.Decode(body, 1 << 20));

        Assert.Equal(TelemetryDecodeError.MalformedSnappy, error.Error);
    }

    [Fact]
    public void Decode_SnappyOfGarbage_MalformedProtobuf()
    {
        var error = Assert.Throws<TelemetryDecodeException>(() => RemoteWriteDecoder.Decode(Snappy.Encode([0x0A, 0x05, 0x01]), 1 << 20));

        Assert.Equal(TelemetryDecodeError.MalformedProtobuf, error.Error);
    }

    [Fact]
    public async Task DecodeAsync_OtherEncoding_UnsupportedEncoding()
    {
        using var body = new MemoryStream([1, 2, 3]);

        var error = await Assert.ThrowsAsync<TelemetryDecodeException>(
            () => RemoteWriteDecoder.DecodeAsync(body, "gzip", 1 << 20, null, CancellationToken.None));

        Assert.Equal(TelemetryDecodeError.UnsupportedEncoding, error.Error);
    }

    [Fact]
    public void Translate_Counters_BaselineThenIncreaseThenReset()
    {
        var sut = Translator(out _);

        var first = Apply(sut, Counters(5, 100, 10));
        var second = Apply(sut, Counters(7, 150, 20));
        var repeated = Apply(sut, Counters(7, 150, 20));
        var reset = Apply(sut, Counters(1, 10, 30));

        Assert.Empty(first.Batches);
        Assert.Equal([(Cohort.Canary, "error-rate", 2L, 50L)], second.Ratios());
        Assert.Empty(repeated.Batches);
        Assert.Equal([(Cohort.Canary, "error-rate", 1L, 10L)], reset.Ratios());
        Assert.StartsWith("prw-", second.Batches[0].BatchId, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_CounterAppearsAfterCohortWasSeen_CountedFromZero()
    {
        var sut = Translator(out _);
        Apply(sut, Write(Series("http_requests_total", "canary", [("pod", "a")], (100, 10))));

        var result = Apply(sut, Counters(2, 130, 20));

        Assert.Equal([(Cohort.Canary, "error-rate", 2L, 30L)], result.Ratios());
    }

    [Fact]
    public void Translate_SeveralSamplesPerSeries_ChainedInOrder()
    {
        var sut = Translator(out _);
        Apply(sut, Counters(0, 0, 0));

        var result = Apply(sut, Write(
            Series("http_errors_total", "canary", [("pod", "a")], (3, 20), (1, 10)),
            Series("http_requests_total", "canary", [("pod", "a")], (30, 20), (10, 10))));

        Assert.Equal([(Cohort.Canary, "error-rate", 3L, 30L)], result.Ratios());
        Assert.Equal(OtlpFixture.StartedAt.AddSeconds(20), result.Batches[0].At);
    }

    [Fact]
    public void Translate_GaugesWithStaleMarker_ValuesAndMarkerIgnored()
    {
        var sut = Translator(out _);

        var result = Apply(sut, Write(Series("cpu", "baseline", [], (0.5, 10), (StaleNaN, 15), (0.25, 20), (double.NaN, 25))));

        var batch = Assert.Single(result.Batches);
        Assert.Equal((Cohort.Baseline, "cpu"), (batch.Cohort, batch.Metric));
        Assert.Equal([0.5, 0.25], batch.Values!);
        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.BadValue] = 1 }, result.Rejections);
        Assert.Equal(2, result.AcceptedDataPoints);
    }

    [Fact]
    public void Translate_ClassicHistogram_BucketIncreasesAsObservationsAndShare()
    {
        var sut = Translator(out _);
        WriteRequest Buckets(double[] cumulative, double seconds) => Write(
            new[] { "0.1", "0.5", "1", "+Inf" }
                .Select((le, i) => Series("http_duration_bucket", "canary", [("le", le)], (cumulative[i], seconds)))
                .ToArray());

        var first = Apply(sut, Buckets([1, 2, 2, 2], 10));
        var second = Apply(sut, Buckets([1, 4, 5, 7], 20));

        Assert.Empty(first.Batches);
        Assert.Equal(0, first.RejectedDataPoints + second.RejectedDataPoints);
        var latency = Assert.Single(second.Batches, b => b.Metric == "latency");
        Assert.Equal([0.3, 0.3, 0.75, 1, 1], latency.Values!);
        Assert.Equal([(Cohort.Canary, "slow", 3L, 5L)], second.Ratios());
        Assert.Equal(4, second.AcceptedDataPoints);
    }

    [Fact]
    public void Translate_ClassicHistogramWithoutInfBucket_Rejected()
    {
        var sut = Translator(out _);

        var result = Apply(sut, Write(Series("http_duration_bucket", "canary", [("le", "0.1")], (1, 10))));

        Assert.Equal(new Dictionary<RejectReason, long> { [RejectReason.BadValue] = 1 }, result.Rejections);
    }

    [Fact]
    public void Translate_UnlinkedAndUnknownSeries_CountedPerSample()
    {
        var sut = Translator(out _);
        var unlinked = new TimeSeries();
        unlinked.Labels.Add(new Label { Name = "__name__", Value = "cpu" });
        unlinked.Samples.Add(new Sample { Value = 1, Timestamp = Ms(1) });

        var result = Apply(sut, Write(unlinked, Series("memory", "canary", [], (1, 1), (2, 2)), Series("cpu", "blue", [], (1, 1))));

        Assert.Equal(
            new Dictionary<RejectReason, long>
            {
                [RejectReason.MissingDeployment] = 1,
                [RejectReason.UnknownMetric] = 2,
                [RejectReason.MissingCohort] = 1,
            },
            result.Rejections);
    }

    [Fact]
    public void DeploymentIds_Labels_Distinct()
    {
        var ids = RemoteWriteTranslator.DeploymentIds(Counters(1, 2, 3));

        Assert.Equal(["dep-1"], ids);
    }
}
