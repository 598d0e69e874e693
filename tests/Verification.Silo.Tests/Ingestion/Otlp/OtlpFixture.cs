using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Tests.Ingestion.Otlp;

/// <summary>Builds OTLP requests and the deployment the tests link them to.</summary>
internal static class OtlpFixture
{
    public const string DeploymentId = "dep-1";
    public static readonly DateTimeOffset StartedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly MetricDefinition ErrorRate = new(
        "error-rate", MetricKind.Ratio, Direction.Increase, true, null,
        new MetricSourceInput(CountMetric: "http.errors", TotalMetric: "http.requests"));

    public static readonly MetricDefinition Latency = new(
        "latency", MetricKind.Continuous, Direction.Increase, false, null, new MetricSourceInput(ValueMetric: "http.duration"));

    public static readonly MetricDefinition Cpu = new("cpu", MetricKind.Continuous, Direction.Increase, false, null, null);

    public static readonly MetricDefinition Slow = new(
        "slow", MetricKind.Ratio, Direction.Increase, false, null, new MetricSourceInput(CountMetric: "http.duration>0.5"));

    public static readonly DeploymentTelemetryTarget Target = new([ErrorRate, Latency, Cpu, Slow], StartedAt);

    public static DeploymentTelemetryTarget? Lookup(string id) => id == DeploymentId ? Target : null;

    /// <summary>Nanoseconds since the epoch of <see cref="StartedAt"/> + <paramref name="seconds"/>.</summary>
    public static ulong At(double seconds) => (ulong)(StartedAt.AddSeconds(seconds) - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static ExportMetricsServiceRequest Request(params ResourceMetrics[] resources)
    {
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.AddRange(resources);
        return request;
    }

    public static ResourceMetrics Resource(string? deployment, string? cohort, params Metric[] metrics) =>
        Resource(deployment, cohort, [], metrics);

    public static ResourceMetrics Resource(string? deployment, string? cohort, KeyValue[] more, params Metric[] metrics)
    {
        var resource = new Resource();
        if (deployment is not null)
        {
            resource.Attributes.Add(Attr("deployment.id", deployment));
        }

        if (cohort is not null)
        {
            resource.Attributes.Add(Attr("deployment.cohort", cohort));
        }

        resource.Attributes.AddRange(more);
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "test" } };
        scope.Metrics.AddRange(metrics);
        var result = new ResourceMetrics { Resource = resource };
        result.ScopeMetrics.Add(scope);
        return result;
    }

    public static NumberDataPoint Point(double value, ulong time, ulong start = 0, params KeyValue[] attributes)
    {
        var point = new NumberDataPoint { AsDouble = value, TimeUnixNano = time, StartTimeUnixNano = start };
        point.Attributes.AddRange(attributes);
        return point;
    }

    public static Metric Sum(string name, AggregationTemporality temporality, bool monotonic, params NumberDataPoint[] points)
    {
        var sum = new Sum { AggregationTemporality = temporality, IsMonotonic = monotonic };
        sum.DataPoints.AddRange(points);
        return new Metric { Name = name, Sum = sum };
    }

    public static Metric Counter(string name, AggregationTemporality temporality, params NumberDataPoint[] points) =>
        Sum(name, temporality, monotonic: true, points);

    public static Metric Gauge(string name, params NumberDataPoint[] points)
    {
        var gauge = new Gauge();
        gauge.DataPoints.AddRange(points);
        return new Metric { Name = name, Gauge = gauge };
    }

    public static HistogramDataPoint HistogramPoint(
        double[] bounds, ulong[] counts, ulong time, ulong start = 0, double? min = null, double? max = null)
    {
        var point = new HistogramDataPoint
        {
            TimeUnixNano = time, StartTimeUnixNano = start, Count = counts.Aggregate(0UL, (s, c) => s + c),
        };
        point.ExplicitBounds.AddRange(bounds);
        point.BucketCounts.AddRange(counts);
        if (min is { } low)
        {
            point.Min = low;
        }

        if (max is { } high)
        {
            point.Max = high;
        }

        return point;
    }

    public static Metric Histogram(string name, AggregationTemporality temporality, params HistogramDataPoint[] points)
    {
        var histogram = new Histogram { AggregationTemporality = temporality };
        histogram.DataPoints.AddRange(points);
        return new Metric { Name = name, Histogram = histogram };
    }

    public static OtlpMetricsTranslator Translator(
        out CumulativeDeltaConverter converter, TelemetryIngestionOptions? options = null, TimeProvider? time = null)
    {
        options ??= new TelemetryIngestionOptions();
        converter = new CumulativeDeltaConverter(options, time ?? new ManualTimeProvider(StartedAt));
        return new OtlpMetricsTranslator(converter, options);
    }

    /// <summary>Translates and commits, as the endpoint does once the samples are durable.</summary>
    public static TelemetryTranslation Apply(this OtlpMetricsTranslator sut, ExportMetricsServiceRequest request)
    {
        var translation = sut.Translate(request, Lookup);
        translation.Commit();
        return translation;
    }

    /// <summary>The batches as (cohort, metric, count, total) for compact assertions.</summary>
    public static (Cohort Cohort, string Metric, long? Count, long? Total)[] Ratios(this TelemetryTranslation translation) =>
        translation.Batches.Where(b => b.Values is null).Select(b => (b.Cohort, b.Metric, b.Count, b.Total)).ToArray();
}
