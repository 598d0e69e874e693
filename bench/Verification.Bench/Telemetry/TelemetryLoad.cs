using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Google.Protobuf;
using IronSnappy;
using Verification.Api.Contracts;
using Verification.Silo.Protos.Otlp;
using Verification.Silo.Protos.Prometheus;

namespace Verification.Bench.Telemetry;

/// <summary>
/// OTLP ingestion throughput next to Prometheus' own remote-write receiver, same payload volume, one run.
/// Each client owns one deployment and sends requests of <c>--points</c> cumulative histogram (or sum) data points,
/// half baseline and half canary, one series each, advancing every series by one observation per request, as a
/// collector's batch processor would. The Prometheus side gets the same points as classic histograms (each bucket,
/// <c>_sum</c> and <c>_count</c> a sample) over remote write 1.0. A request counts once answered 2xx, i.e. durable.
/// Usage: <c>telemetry --otlp http://127.0.0.1:5080 --prometheus http://127.0.0.1:9090 [--seconds 3] [--runs 3]
/// [--clients 4] [--points 1000] [--kind histogram|sum]</c>
/// </summary>
internal static class TelemetryLoad
{
    private static readonly double[] Bounds = [5, 10, 25, 50, 100, 250, 500, 1000];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients }) { Timeout = TimeSpan.FromMinutes(1) };
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, options.Clients).Select(i => $"tbench-{run}-{i}").ToArray();
        foreach (var id in ids)
        {
            var source = options.Histogram
                ? new MetricSourceInput(ValueMetric: "http.duration")
                : new MetricSourceInput(CountMetric: "http.errors", TotalMetric: "http.requests");
            var metric = new MetricInput("m", options.Histogram ? MetricKind.Continuous : MetricKind.Ratio, Source: source);
            using var response = await http.PostAsJsonAsync(
                new Uri(options.Otlp, "v1/deployments"), new RegisterDeploymentInput(id, "bench", "v1", [metric]), ContractJson.Options);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Console.Error.WriteLine($"register {id}: {(int)response.StatusCode}");
                return 1;
            }
        }

        var otlp = new List<Result>();
        var prometheus = new List<Result>();
        var sequence = new long[options.Clients];
        // One discarded second each first: JIT and connection warm-up would otherwise land in the first run.
        var warmUp = options with { Seconds = 1 };
        await MeasureAsync(warmUp, (client, seq) => OtlpRequest(options, ids[client], seq), new Uri(options.Otlp, "otlp/v1/metrics"), http, sequence);
        await MeasureAsync(warmUp, (client, seq) => RemoteWriteRequest(options, ids[client], seq), new Uri(options.Prometheus, "api/v1/write"), http, sequence);
        for (var i = 0; i < options.Runs; i++)
        {
            otlp.Add(await MeasureAsync(options, (client, seq) => OtlpRequest(options, ids[client], seq), new Uri(options.Otlp, "otlp/v1/metrics"), http, sequence));
            prometheus.Add(await MeasureAsync(options, (client, seq) => RemoteWriteRequest(options, ids[client], seq),
                new Uri(options.Prometheus, "api/v1/write"), http, sequence));
        }

        var otlpMedian = Median(otlp.Select(r => r.PointsPerSecond));
        var promMedian = Median(prometheus.Select(r => r.PointsPerSecond));
        var kind = options.Histogram ? "histogram" : "sum";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind,-9} points/request {options.Points}, clients {options.Clients}, {options.Runs} runs of {options.Seconds} s each"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  verification OTLP      median {otlpMedian,12:N0} points/s   runs [{string.Join(", ", otlp.Select(r => r.PointsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}]  failed requests {otlp.Sum(r => r.Failures)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  prometheus remote-write median {promMedian,12:N0} points/s   runs [{string.Join(", ", prometheus.Select(r => r.PointsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))}]  failed requests {prometheus.Sum(r => r.Failures)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio verification / prometheus: {otlpMedian / promMedian:F2}"));
        return otlp.Concat(prometheus).Any(r => r.Failures > 0) ? 1 : 0;
    }

    private static async Task<Result> MeasureAsync(
        Options options, Func<int, long, HttpContent> request, Uri url, HttpClient http, long[] sequence)
    {
        long succeeded = 0;
        long failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < end)
            {
                using var content = request(client, ++sequence[client]);
                using var response = await http.PostAsync(url, content);
                var rejected = await RejectedAsync(response);
                if (response.IsSuccessStatusCode && rejected is null)
                {
                    Interlocked.Increment(ref succeeded);
                }
                else if (Interlocked.Increment(ref failures) == 1)
                {
                    Console.Error.WriteLine($"{url}: {(int)response.StatusCode} {rejected ?? await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        return new Result(succeeded * options.Points / stopwatch.Elapsed.TotalSeconds, failures);
    }

    /// <summary>An OTLP answer that rejected points counts as a failure: only points that became samples are counted.</summary>
    private static async Task<string?> RejectedAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/x-protobuf" || !response.IsSuccessStatusCode)
        {
            return null;
        }

        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        return answer.PartialSuccess is { RejectedDataPoints: > 0 } partial
            ? $"{partial.RejectedDataPoints} points rejected: {partial.ErrorMessage}"
            : null;
    }

    /// <summary>Cumulative state after <paramref name="sequence"/> requests: series i has one observation per request, in bucket i mod 9.</summary>
    private static HttpContent OtlpRequest(Options options, string deploymentId, long sequence)
    {
        var content = new ByteArrayContent(OtlpExport(options.Histogram, options.Points, deploymentId, sequence).ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    /// <summary>The export <see cref="OtlpRequest"/> sends (also the payload of <see cref="OtlpCountersBenchmarks"/>).</summary>
    internal static ExportMetricsServiceRequest OtlpExport(bool histogram, int points, string deploymentId, long sequence)
    {
        var time = Nanos(sequence);
        var request = new ExportMetricsServiceRequest();
        foreach (var cohort in new[] { "baseline", "canary" })
        {
            var resource = new ResourceMetrics { Resource = new Resource() };
            resource.Resource.Attributes.Add(Attribute("deployment.id", deploymentId));
            resource.Resource.Attributes.Add(Attribute("deployment.cohort", cohort));
            var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "bench" } };
            resource.ScopeMetrics.Add(scope);
            request.ResourceMetrics.Add(resource);
            if (histogram)
            {
                var series = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
                for (var i = 0; i < points / 2; i++)
                {
                    var point = new HistogramDataPoint
                    {
                        StartTimeUnixNano = Nanos(0), TimeUnixNano = time, Count = (ulong)sequence, Sum = sequence * Middle(i % 9),
                    };
                    point.ExplicitBounds.AddRange(Bounds);
                    for (var b = 0; b <= Bounds.Length; b++)
                    {
                        point.BucketCounts.Add(b == i % 9 ? (ulong)sequence : 0);
                    }

                    point.Attributes.Add(Attribute("instance", Instance(i)));
                    series.DataPoints.Add(point);
                }

                scope.Metrics.Add(new Metric { Name = "http.duration", Histogram = series });
            }
            else
            {
                foreach (var (name, perRequest) in new[] { ("http.requests", 10L), ("http.errors", 1L) })
                {
                    var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
                    for (var i = 0; i < points / 4; i++)
                    {
                        var point = new NumberDataPoint { StartTimeUnixNano = Nanos(0), TimeUnixNano = time, AsInt = sequence * perRequest };
                        point.Attributes.Add(Attribute("instance", Instance(i)));
                        sum.DataPoints.Add(point);
                    }

                    scope.Metrics.Add(new Metric { Name = name, Sum = sum });
                }
            }
        }

        return request;
    }

    /// <summary>The same points as remote write 1.0: classic histogram series (cumulative le buckets, _sum, _count), or counters.</summary>
    private static HttpContent RemoteWriteRequest(Options options, string deploymentId, long sequence)
    {
        var millis = (long)(Nanos(sequence) / 1_000_000);
        var request = new WriteRequest();
        foreach (var cohort in new[] { "baseline", "canary" })
        {
            if (options.Histogram)
            {
                for (var i = 0; i < options.Points / 2; i++)
                {
                    long cumulative = 0;
                    for (var b = 0; b <= Bounds.Length; b++)
                    {
                        cumulative += b == i % 9 ? sequence : 0;
                        var le = b < Bounds.Length ? Bounds[b].ToString(CultureInfo.InvariantCulture) : "+Inf";
                        request.Timeseries.Add(Series("http_duration_bucket", deploymentId, cohort, i, le, cumulative, millis));
                    }

                    request.Timeseries.Add(Series("http_duration_sum", deploymentId, cohort, i, null, sequence * Middle(i % 9), millis));
                    request.Timeseries.Add(Series("http_duration_count", deploymentId, cohort, i, null, sequence, millis));
                }
            }
            else
            {
                for (var i = 0; i < options.Points / 4; i++)
                {
                    request.Timeseries.Add(Series("http_requests_total", deploymentId, cohort, i, null, sequence * 10, millis));
                    request.Timeseries.Add(Series("http_errors_total", deploymentId, cohort, i, null, sequence, millis));
                }
            }
        }

        var content = new ByteArrayContent(Snappy.Encode(request.ToByteArray()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return content;
    }

    private static TimeSeries Series(string name, string deploymentId, string cohort, int instance, string? le, double value, long millis)
    {
        // Labels sorted by name, as remote write 1.0 requires.
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = name });
        series.Labels.Add(new Label { Name = "deployment_cohort", Value = cohort });
        series.Labels.Add(new Label { Name = "deployment_id", Value = deploymentId });
        series.Labels.Add(new Label { Name = "instance", Value = Instance(instance) });
        if (le is not null)
        {
            series.Labels.Add(new Label { Name = "le", Value = le });
        }

        series.Samples.Add(new Sample { Value = value, Timestamp = millis });
        return series;
    }

    /// <summary>Time of request <paramref name="sequence"/>: a fixed start when the run began, one millisecond per request.</summary>
    private static ulong Nanos(long sequence) => (ulong)(Start.ToUnixTimeMilliseconds() + sequence) * 1_000_000;

    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-1);

    private static double Middle(int bucket) =>
        bucket == 0 ? Bounds[0] : bucket == Bounds.Length ? Bounds[^1] : (Bounds[bucket - 1] + Bounds[bucket]) / 2;

    private static string Instance(int i) => string.Create(CultureInfo.InvariantCulture, $"pod-{i}");

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Result(double PointsPerSecond, long Failures);

    private sealed record Options(Uri Otlp, Uri Prometheus, int Seconds, int Runs, int Clients, int Points, bool Histogram)
    {
        public static Options Parse(string[] args)
        {
            string Get(string name, string fallback)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            }

            int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

            return new Options(
                new Uri(Get("--otlp", "http://127.0.0.1:5080").TrimEnd('/') + "/"),
                new Uri(Get("--prometheus", "http://127.0.0.1:9090").TrimEnd('/') + "/"),
                Int("--seconds", 3), Int("--runs", 3), Int("--clients", 4), Int("--points", 1000),
                Get("--kind", "histogram") != "sum");
        }
    }
}
