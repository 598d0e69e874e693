using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Otlp;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class OtlpDecoderTests
{
    // Hand-written OTLP/JSON: int64/fixed64 as strings and as numbers, enums as integers, an
    // exemplar with hex ids and fields the receiver does not declare (which it must ignore).
    private const string ExportJson = """
        {
          "resourceMetrics": [{
            "resource": {
              "attributes": [
                {"key": "deployment.id", "value": {"stringValue": "dep-1"}},
                {"key": "deployment.cohort", "value": {"stringValue": "canary"}},
                {"key": "host.id", "value": {"bytesValue": "AQID"}},
                {"key": "pod.ordinal", "value": {"intValue": "3"}}
              ],
              "entityRefs": [{"type": "service"}]
            },
            "scopeMetrics": [{
              "scope": {"name": "app", "version": "1.0"},
              "metrics": [
                {
                  "name": "http.requests", "unit": "1",
                  "sum": {
                    "aggregationTemporality": 1, "isMonotonic": true,
                    "dataPoints": [{
                      "startTimeUnixNano": "1767225600000000000", "timeUnixNano": 1767225610000000000,
                      "asInt": "50",
                      "exemplars": [{"timeUnixNano": "1767225605000000000", "asDouble": 1,
                                     "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174"}]
                    }]
                  }
                },
                {
                  "name": "http.errors",
                  "sum": {"aggregationTemporality": 1, "isMonotonic": true,
                          "dataPoints": [{"startTimeUnixNano": "1767225600000000000",
                                          "timeUnixNano": "1767225610000000000", "asDouble": 2}]}
                },
                {
                  "name": "http.duration",
                  "metadata": [{"key": "x", "value": {"stringValue": "y"}}],
                  "histogram": {
                    "aggregationTemporality": 1,
                    "dataPoints": [{
                      "startTimeUnixNano": "1767225600000000000", "timeUnixNano": "1767225610000000000",
                      "count": "5", "sum": 2.5, "bucketCounts": ["1", "2", 1, "1"], "explicitBounds": [0.1, 0.5, 1.0],
                      "min": 0.05, "max": 2
                    }]
                  }
                }
              ]
            }]
          }]
        }
        """;

    [Fact]
    public void DecodeJson_HandWrittenOtlpJson_SameMessageAsProtobuf()
    {
        var sut = OtlpDecoder.DecodeJson(Encoding.UTF8.GetBytes(ExportJson));

        var points = sut.ResourceMetrics[0].ScopeMetrics[0].Metrics;
        Assert.Equal(50, points[0].Sum.DataPoints[0].AsInt);
        Assert.Equal(At(10), points[0].Sum.DataPoints[0].TimeUnixNano);
        Assert.Equal(AggregationTemporality.Delta, points[0].Sum.AggregationTemporality);
        Assert.Equal([1UL, 2, 1, 1], points[2].Histogram.DataPoints[0].BucketCounts);
        Assert.Equal(new byte[] { 1, 2, 3 }, sut.ResourceMetrics[0].Resource.Attributes[2].Value.BytesValue.ToByteArray());
        Assert.Equal(3, sut.ResourceMetrics[0].Resource.Attributes[3].Value.IntValue);
        Assert.Equal(sut, OtlpDecoder.DecodeProtobuf(sut.ToByteArray()));
    }

    [Fact]
    public void DecodeJson_ThenTranslate_ExactSamples()
    {
        var request = OtlpDecoder.DecodeJson(Encoding.UTF8.GetBytes(ExportJson));
        var sut = Translator(out _);

        var result = sut.Apply(request);

        Assert.Equal(0, result.RejectedDataPoints);
        Assert.Equal(
            [
                (Cohort.Canary, "latency", (long?)null, (long?)null, (double[]?)[(0.05 + 0.1) / 2, 0.3, 0.3, 0.75, 1.5]),
                (Cohort.Canary, "error-rate", 2, 50, null),
                (Cohort.Canary, "slow", 2, 5, null),
            ],
            result.Batches.Select(b => (b.Cohort, b.Metric, b.Count, b.Total, b.Values?.ToArray())).ToArray());
    }

    [Fact]
    public async Task DecodeAsync_ProtobufBody_RoundTrips()
    {
        var request = Request(Resource(DeploymentId, "canary", Gauge("cpu", Point(0.5, At(1)))));
        using var body = new MemoryStream(request.ToByteArray());

        var sut = await OtlpDecoder.DecodeAsync(body, "application/x-protobuf", null, 1024, null, CancellationToken.None);

        Assert.Equal(request, sut);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1L)]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1L << 40)]
    public async Task DecodeAsync_BodyLargerThanFirstBufferWhateverContentLengthSays_RoundTrips(long? contentLength)
    {
        // About 100 KB: more than the first pooled buffer, so the read grows it (a wrong Content-Length only sizes it).
        var points = Enumerable.Range(0, 2_000).Select(i => Point(i, At(i), 0, Attr("instance", $"pod-{i}"))).ToArray();
        var request = Request(Resource(DeploymentId, "canary", Gauge("cpu", points)));
        var bytes = request.ToByteArray();
        using var body = new MemoryStream(bytes);

        var sut = await OtlpDecoder.DecodeAsync(body, "application/x-protobuf", null, 1 << 20, contentLength, CancellationToken.None);

        Assert.True(bytes.Length > 64 * 1024);
        Assert.Equal(request, sut);
    }

    [Fact]
    public async Task DecodeAsync_ExactContentLength_RoundTrips()
    {
        var request = Request(Resource(DeploymentId, "canary", Gauge("cpu", Point(0.5, At(1)))));
        var bytes = request.ToByteArray();
        using var body = new MemoryStream(bytes);

        var sut = await OtlpDecoder.DecodeAsync(body, "application/x-protobuf", null, 1024, bytes.Length, CancellationToken.None);

        Assert.Equal(request, sut);
    }

    [Fact]
    public async Task DecodeAsync_BodyOneByteOverLimitWithContentLengthOfLimit_TooLarge()
    {
        using var body = new MemoryStream(new byte[1025]);

        var error = await Assert.ThrowsAsync<TelemetryDecodeException>(
            () => OtlpDecoder.DecodeAsync(body, "application/x-protobuf", null, 1024, 1024, CancellationToken.None));

        Assert.Equal(TelemetryDecodeError.TooLarge, error.Error);
        Assert.Equal("The body exceeds the limit of 1024 bytes.", error.Message);
    }

    [Fact]
    public async Task DecodeAsync_GzipJsonBody_Decoded()
    {
        using var body = new MemoryStream(Gzip(Encoding.UTF8.GetBytes(ExportJson)));

        var sut = await OtlpDecoder.DecodeAsync(body, "application/json; charset=utf-8", "gzip", 1 << 20, null, CancellationToken.None);

        Assert.Equal(3, sut.ResourceMetrics[0].ScopeMetrics[0].Metrics.Count);
    }

    [Fact]
    public async Task DecodeAsync_GzipBomb_TooLargeAfterCap()
    {
        // 64 MiB of zeros compresses to about 64 KiB; the reader must stop at the 1 MiB cap.
        var bomb = Gzip(new byte[64 << 20]);
        using var body = new MemoryStream(bomb);

        var error = await Assert.ThrowsAsync<TelemetryDecodeException>(
            () => OtlpDecoder.DecodeAsync(body, "application/x-protobuf", "gzip", 1 << 20, null, CancellationToken.None));

        Assert.Equal(TelemetryDecodeError.TooLarge, error.Error);
        Assert.True(bomb.Length < 1 << 20);
    }

    [Fact]
    public async Task DecodeAsync_BodyOverLimit_TooLarge()
    {
        using var body = new MemoryStream(new byte[2048]);

        var error = await Assert.ThrowsAsync<TelemetryDecodeException>(
            () => OtlpDecoder.DecodeAsync(body, "application/x-protobuf", null, 1024, null, CancellationToken.None));

        Assert.Equal(TelemetryDecodeError.TooLarge, error.Error);
    }

    [Theory]
    [InlineData("gzip", nameof(TelemetryDecodeError.MalformedGzip))]
    [InlineData("br", nameof(TelemetryDecodeError.UnsupportedEncoding))]
    public async Task DecodeAsync_BadEncoding_TypedError(string encoding, string expected)
    {
        using var body = new MemoryStream(Encoding.ASCII.GetBytes("not compressed at all"));

        var error = await Assert.ThrowsAsync<TelemetryDecodeException>(
            () => OtlpDecoder.DecodeAsync(body, "application/x-protobuf", encoding, 1024, null, CancellationToken.None));

        Assert.Equal(expected, error.Error.ToString());
    }

    [Fact]
    public void DecodeProtobuf_Truncated_MalformedProtobuf()
    {
        var bytes = Request(Resource(DeploymentId, "canary", Gauge("cpu", Point(0.5, At(1))))).ToByteArray();

        var error = Assert.Throws<TelemetryDecodeException>(() => OtlpDecoder.DecodeProtobuf(bytes.AsSpan(0, bytes.Length - 3)));

        Assert.Equal(TelemetryDecodeError.MalformedProtobuf, error.Error);
    }

    [Theory]
    [InlineData("{\"resourceMetrics\": [")]
    [InlineData("{\"resourceMetrics\": [{\"scopeMetrics\": [{\"metrics\": [{\"gauge\": {\"dataPoints\": [{\"asInt\": \"abc\"}]}}]}]}]}")]
    [InlineData("{\"resourceMetrics\": [{\"resource\": {\"attributes\": [{\"key\": \"k\", \"value\": {\"bytesValue\": \"***\"}}]}}]}")]
    [InlineData("[1, 2]")]
    public void DecodeJson_Invalid_MalformedJson(string json)
    {
        var error = Assert.Throws<TelemetryDecodeException>(() => OtlpDecoder.DecodeJson(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(TelemetryDecodeError.MalformedJson, error.Error);
    }

    [Fact]
    public void DecodeJson_InvalidUtf8_MalformedJson()
    {
        var error = Assert.Throws<TelemetryDecodeException>(() => OtlpDecoder.DecodeJson([0x7B, 0xFF, 0x7D]));

        Assert.Equal(TelemetryDecodeError.MalformedJson, error.Error);
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }
}
