using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Verification.Api.Contracts;
using Verification.Silo.Tests.Providers.Prometheus;

namespace Verification.Silo.Tests.Ingestion.Otlp;

/// <summary>The OpenTelemetry .NET SDK exporting OTLP/HTTP protobuf over a real socket to the real silo process.</summary>
[Collection(TelemetryProcessesCollection.Name)]
public sealed class OtlpSdkEndToEndTests(TelemetryProcessesFixture fixture)
{
    private const int Flushes = 3;

    [Fact]
    public async Task Export_SdkCumulativeOverHttp_SummariesExactAndCanaryErrorsRollBack()
    {
        const string id = "otlp-sdk-1";
        await fixture.RegisterAsync(new RegisterDeploymentInput(id, "checkout", "v2",
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true,
                Source: new MetricSourceInput(CountMetric: "http.errors", TotalMetric: "http.requests")),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase, Source: new MetricSourceInput(ValueMetric: "http.duration")),
        ]));
        using var baseline = new Client(fixture, id, "baseline");
        using var canary = new Client(fixture, id, "canary");

        for (var flush = 0; flush < Flushes; flush++)
        {
            // Values sit at a bucket's middle (150 in (100, 200], 300 in (200, 400]), so the histogram
            // approximation is exact whether or not min/max clamp the bucket.
            baseline.Send(requests: 400, errors: 1, latency: 150, observations: 100);
            canary.Send(requests: 400, errors: 80, latency: 300, observations: 100);
        }

        var deployment = await fixture.GetAsync(id);
        Assert.Equal(
            [
                new CohortSummary("errors", Cohort.Baseline, Flushes, 3, 1200, null),
                new CohortSummary("errors", Cohort.Canary, Flushes, 240, 1200, null),
                new CohortSummary("latency", Cohort.Baseline, 300, null, null, 150),
                new CohortSummary("latency", Cohort.Canary, 300, null, null, 300),
            ],
            deployment.Summaries.OrderBy(s => s.Metric, StringComparer.Ordinal).ThenBy(s => s.Cohort));
        Assert.Equal(Decision.Rollback, deployment.Verdict.Decision);
    }

    /// <summary>One service instance: its own meter and SDK pipeline, exporting only on <see cref="Send"/>.</summary>
    private sealed class Client : IDisposable
    {
        private readonly Meter _meter = new($"verification.e2e.{Guid.NewGuid():N}");
        private readonly MeterProvider _provider;
        private readonly Counter<long> _requests;
        private readonly Counter<long> _errors;
        private readonly Histogram<double> _duration;

        public Client(TelemetryProcessesFixture fixture, string deploymentId, string cohort)
        {
            _requests = _meter.CreateCounter<long>("http.requests");
            _errors = _meter.CreateCounter<long>("http.errors");
            _duration = _meter.CreateHistogram<double>("http.duration", "ms");
            _provider = Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddAttributes(
                    [new("service.name", "checkout"), new("deployment.id", deploymentId), new("deployment.cohort", cohort)]))
                .AddMeter(_meter.Name)
                .AddView("http.duration", new ExplicitBucketHistogramConfiguration { Boundaries = [50, 100, 200, 400] })
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = new Uri(fixture.Silo.BaseAddress, "otlp/v1/metrics");
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue;
                })
                .Build()!;
        }

        public void Send(long requests, long errors, double latency, int observations)
        {
            _requests.Add(requests);
            _errors.Add(errors);
            for (var i = 0; i < observations; i++)
            {
                _duration.Record(latency);
            }

            // ForceFlush returns after the export's HTTP answer, i.e. after the samples are durable.
            Assert.True(_provider.ForceFlush(10_000));
        }

        public void Dispose()
        {
            _provider.Dispose();
            _meter.Dispose();
        }
    }
}
