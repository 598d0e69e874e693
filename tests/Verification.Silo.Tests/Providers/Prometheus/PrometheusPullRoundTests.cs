using System.Globalization;
using System.Net;
using System.Text;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Telemetry;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo.Tests.TestSupport;
using Verification.Tests.Shared;

namespace Verification.Silo.Tests.Providers.Prometheus;

/// <summary>Evaluation rounds of one deployment's pull on a manual clock, with Prometheus answers and the grain faked.</summary>
public sealed class PrometheusPullRoundTests
{
    private const string Id = "dep-pull";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EvaluateAsync_Rounds_IncreasesWithDeterministicIdsAndFailedWriteCarried()
    {
        var time = new ManualTimeProvider(Start.AddSeconds(5));
        var prometheus = new CounterAnswers();
        var grain = new RecordingGrain();
        using var http = new HttpClient(prometheus);
        var options = new PrometheusPullOptions { Url = new Uri("http://127.0.0.1:1/") };
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sut = new PrometheusPull(new PrometheusQueryClient(http, options), options,
            new TelemetryMetrics(services.GetRequiredService<IMeterFactory>()), time, NullLogger<PrometheusPull>.Instance);

        async Task Round(double count, double total, int advanceSeconds = 30)
        {
            prometheus.Count = count;
            prometheus.Total = total;
            await sut.EvaluateAsync(Id, Metrics, grain, CancellationToken.None);
            time.Advance(TimeSpan.FromSeconds(advanceSeconds));
        }

        await Round(10, 100);                  // t = 12:00:00, the baseline
        await Round(12, 150, advanceSeconds: 1);   // 12:00:30: +2/+50
        await Round(99, 999);                  // still 12:00:30: already evaluated, not queried
        grain.FailNext = true;
        await Round(14, 170);                  // 12:01:00: the write fails
        await Round(15, 200);                  // 12:01:30: +3/+50 since the last durable reading
        await Round(1, 20);                    // 12:02:00: both counters reset

        var expected = new[]
        {
            (Cohort.Baseline, 2L, 50L, Start.AddSeconds(30)),
            (Cohort.Canary, 2L, 50L, Start.AddSeconds(30)),
            (Cohort.Baseline, 3L, 50L, Start.AddSeconds(90)),
            (Cohort.Canary, 3L, 50L, Start.AddSeconds(90)),
            (Cohort.Baseline, 1L, 20L, Start.AddSeconds(120)),
            (Cohort.Canary, 1L, 20L, Start.AddSeconds(120)),
        };
        Assert.Equal(expected, grain.Recorded.Select(b => (b.Cohort, b.Count!.Value, b.Total!.Value, b.At!.Value)).ToArray());
        Assert.Equal(
            grain.Recorded.Select(b => PrometheusPull.BatchId(Id, "errors", b.Cohort, b.At!.Value)).ToArray(),
            grain.Recorded.Select(b => b.BatchId!).ToArray());
        Assert.Equal(10, prometheus.Queries);   // 5 evaluated rounds (the repeated 12:00:30 is skipped) × 2 cohorts
    }

    [Fact]
    public async Task EvaluateAsync_QueryStartsFailingAndRecovers_ReportsTheSourceToTheGrain()
    {
        var time = new ManualTimeProvider(Start.AddSeconds(5));
        var prometheus = new CounterAnswers { Count = 1, Total = 10 };
        var grain = new RecordingGrain();
        using var http = new HttpClient(prometheus);
        var options = new PrometheusPullOptions { Url = new Uri("http://127.0.0.1:1/") };
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var sut = new PrometheusPull(new PrometheusQueryClient(http, options), options,
            new TelemetryMetrics(services.GetRequiredService<IMeterFactory>()), time, NullLogger<PrometheusPull>.Instance);

        await sut.EvaluateAsync(Id, Metrics, grain, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        prometheus.Fail = true;
        await sut.EvaluateAsync(Id, Metrics, grain, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        prometheus.Fail = false;
        await sut.EvaluateAsync(Id, Metrics, grain, CancellationToken.None);

        Assert.Equal(3, grain.Sources.Count);
        Assert.Equal(("errors", (string?)null), grain.Sources[0]);
        Assert.Equal("errors", grain.Sources[1].Metric);
        Assert.StartsWith("baseline query: ", grain.Sources[1].Error, StringComparison.Ordinal);
        Assert.Contains("parse error at char 3", grain.Sources[1].Error, StringComparison.Ordinal);
        Assert.Equal(("errors", (string?)null), grain.Sources[2]);
    }

    /// <summary>Answers every query with the two role-labelled counters, whatever the cohort.</summary>
    private sealed class CounterAnswers : HttpMessageHandler
    {
        public double Count { get; set; }

        public double Total { get; set; }

        public int Queries { get; private set; }

        public bool Fail { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Queries++;
            if (Fail)
            {
                const string error = """{"status":"error","errorType":"bad_data","error":"parse error at char 3"}""";
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(error, Encoding.UTF8, "application/json") });
            }

            var json = string.Create(CultureInfo.InvariantCulture,
                $$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"verification_role":"count"},"value":[0,"{{{Count}}}"]},{"metric":{"verification_role":"total"},"value":[0,"{{{Total}}}"]}]}}""");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    private static readonly MetricDefinition[] Metrics =
        [new MetricDefinition("errors", MetricKind.Ratio, Direction.Increase, true, null, new MetricSourceInput(Promql: "q"))];

    private sealed class RecordingGrain : IDeploymentGrain
    {
        public List<SamplesInput> Recorded { get; } = [];

        public bool FailNext { get; set; }

        public Task<RecordResult> RecordAsync(IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("storage down");
            }

            Recorded.AddRange(batches);
            return Task.FromResult(new RecordResult(batches.Count, 0, batches.Count, new Verdict(Decision.Pending, "", null, null, [])));
        }

        public Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Deployment?> GetAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<MetricDefinition>?> GetMetricsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Deployment> CompleteAsync(DeploymentStatus status, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredSamplePage> ReadSamplesAsync(long after, int first, CancellationToken cancellationToken) => throw new NotSupportedException();

        public List<(string Metric, string? Error)> Sources { get; } = [];

        public Task<Verdict> ReportSourceAsync(string metric, string? error, CancellationToken cancellationToken)
        {
            Sources.Add((metric, error));
            return Task.FromResult(new Verdict(Decision.Pending, "", null, null, []));
        }
    }
}
