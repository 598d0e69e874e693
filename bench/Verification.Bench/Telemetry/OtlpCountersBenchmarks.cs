using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Otlp;

namespace Verification.Bench.Telemetry;

/// <summary>
/// The CPU part of one <c>POST /otlp/v1/metrics</c> request of <c>bench/telemetry.sh --kind sum</c>, without HTTP and
/// storage: 1,000 cumulative monotonic-sum points (2 cohorts × 2 counters × 250 series) decoded from protobuf
/// (<see cref="Decode"/>), differenced against the last point of each series and assembled into batches, then
/// committed (<see cref="Translate"/>), and both (<see cref="DecodeAndTranslate"/>). Every invocation advances each
/// series by one request (time + 1 ms, value + 10 / + 1), so the converter always computes a real increase. The payload
/// is <see cref="TelemetryLoad.OtlpExport"/>'s.
/// </summary>
[MemoryDiagnoser]
public class OtlpCountersBenchmarks
{
    private const int Points = 1_000;
    private const string DeploymentId = "bench-counters";

    private readonly TelemetryIngestionOptions _options = new();
    private OtlpMetricsTranslator _translator = null!;
    private DeploymentTelemetryTarget _target = null!;
    private byte[] _body = [];
    private ExportMetricsServiceRequest _decoded = null!;
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _translator = new OtlpMetricsTranslator(new CumulativeDeltaConverter(_options, TimeProvider.System), _options);
        var source = new MetricSourceInput(CountMetric: "http.errors", TotalMetric: "http.requests");
        _target = new DeploymentTelemetryTarget(
            [new MetricDefinition("m", MetricKind.Ratio, Direction.Increase, Critical: false, AllowedChange: null, Source: source)], DateTimeOffset.UtcNow.AddHours(-1));
        _body = TelemetryLoad.OtlpExport(histogram: false, Points, DeploymentId, 1).ToByteArray();
        _decoded = ExportMetricsServiceRequest.Parser.ParseFrom(_body);
        _sequence = 0;
        // The first request only establishes each series' baseline.
        Run(_decoded);
    }

    [Benchmark]
    public ExportMetricsServiceRequest Decode() => OtlpDecoder.DecodeProtobuf(_body);

    [Benchmark]
    public int Translate() => Run(_decoded);

    [Benchmark]
    public int DecodeAndTranslate() => Run(OtlpDecoder.DecodeProtobuf(_body));

    private int Run(ExportMetricsServiceRequest request)
    {
        Advance(request, ++_sequence);
        var translation = _translator.Translate(request, id => id == DeploymentId ? _target : null);
        if (translation.RejectedDataPoints != 0 || translation.Batches.Count != 2 && _sequence > 1)
        {
            throw new InvalidOperationException($"unexpected translation: {translation.ErrorMessage}, {translation.Batches.Count} batches");
        }

        translation.Commit();
        return translation.Batches.Count;
    }

    /// <summary>Sets every point to request <paramref name="sequence"/>: <paramref name="sequence"/> milliseconds after its start, value 10 (requests) or 1 (errors) per request.</summary>
    private static void Advance(ExportMetricsServiceRequest request, long sequence)
    {
        foreach (var metric in request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
        {
            var perRequest = metric.Name == "http.requests" ? 10 : 1;
            foreach (var point in metric.Sum.DataPoints)
            {
                point.TimeUnixNano = point.StartTimeUnixNano + (ulong)sequence * 1_000_000;
                point.AsInt = sequence * perRequest;
            }
        }
    }
}
