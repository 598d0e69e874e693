using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Otlp;

/// <summary>What the real OpenTelemetry .NET SDK exports, decoded and translated.</summary>
public sealed class OpenTelemetrySdkTests
{
    [Theory]
    [InlineData(MetricReaderTemporalityPreference.Cumulative)]
    [InlineData(MetricReaderTemporalityPreference.Delta)]
    public void Translate_SdkExports_ExactSamples(MetricReaderTemporalityPreference temporality)
    {
        using var meter = new Meter($"verification.test.{Guid.NewGuid():N}");
        var requests = meter.CreateCounter<long>("http.requests");
        var errors = meter.CreateCounter<long>("http.errors");
        var duration = meter.CreateHistogram<double>("http.duration");
        var exports = new List<byte[]>();
        using var handler = new CapturingHandler(exports);
        using var provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddAttributes(
                [new("deployment.id", DeploymentId), new("deployment.cohort", "canary")]))
            .AddMeter(meter.Name)
            .AddView("http.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [0.1, 0.5, 1] })
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri("http://127.0.0.1:1/v1/metrics");
                exporter.HttpClientFactory = () => new HttpClient(handler, disposeHandler: false);
                reader.TemporalityPreference = temporality;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue;
            })
            .Build();
        var sut = Translator(out _);
        var target = Target with { StartedAt = DateTimeOffset.UnixEpoch };

        requests.Add(100);
        errors.Add(3);
        foreach (var value in new[] { 0.05, 0.3, 0.3, 0.7, 2 })
        {
            duration.Record(value);
        }

        provider.ForceFlush();
        requests.Add(10);
        duration.Record(0.2);
        provider.ForceFlush();

        Assert.Equal(2, exports.Count);
        var first = sut.Translate(OtlpDecoder.DecodeProtobuf(exports[0]), _ => target);
        first.Commit();
        var second = sut.Translate(OtlpDecoder.DecodeProtobuf(exports[1]), _ => target);
        second.Commit();

        Assert.Equal(0, first.RejectedDataPoints + second.RejectedDataPoints);
        Assert.Equal(
            [
                ("latency", (long?)null, (long?)null, (double[]?)[(0.05 + 0.1) / 2, 0.3, 0.3, 0.75, 1.5]),
                ("error-rate", 3, 100, null),
                ("slow", 2, 5, null),
            ],
            first.Batches.Select(b => (b.Metric, b.Count, b.Total, b.Values?.ToArray())).ToArray());
        Assert.All(first.Batches, b => Assert.Equal(Cohort.Canary, b.Cohort));
        var secondBatches = second.Batches.Select(b => (b.Metric, b.Count, b.Total, b.Values?.ToArray())).ToArray();
        if (temporality == MetricReaderTemporalityPreference.Cumulative)
        {
            // min/max describe the whole cumulative window, so the increase stands at the bucket middle;
            // the error counter is re-exported unchanged, so the ratio pairs at once.
            Assert.Equal(
                [("latency", null, null, [0.3]), ("error-rate", 0, 10, null), ("slow", 0, 1, null)],
                secondBatches);
        }
        else
        {
            // Delta points carry the window's own min/max (0.2); the error counter, not incremented,
            // is not exported, so its total waits one more window for a count.
            Assert.Equal([("latency", null, null, [0.2]), ("slow", 0, 1, null)], secondBatches);
        }
    }

    /// <summary>Stands in for the server; the SDK exports with the synchronous HttpClient.Send.</summary>
    private sealed class CapturingHandler(List<byte[]> exports) : HttpMessageHandler
    {
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var body = new MemoryStream();
            request.Content!.CopyTo(body, null, cancellationToken);
            exports.Add(body.ToArray());
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}
