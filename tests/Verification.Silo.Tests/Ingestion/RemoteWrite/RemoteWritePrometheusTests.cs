using Verification.Api.Contracts;
using Verification.Silo.Tests.Providers.Prometheus;

namespace Verification.Silo.Tests.Ingestion.RemoteWrite;

/// <summary>A real Prometheus remote-writing what it scrapes into the real silo process.</summary>
[Collection(TelemetryProcessesCollection.Name)]
public sealed class RemoteWritePrometheusTests(TelemetryProcessesFixture fixture)
{
    [Fact]
    public async Task RemoteWrite_RealPrometheus_SummariesEqualScrapedIncreases()
    {
        const string id = "rw-1";
        await fixture.RegisterAsync(new RegisterDeploymentInput(id, "checkout", "v2",
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true,
                Source: new MetricSourceInput(CountMetric: "rw.errors", TotalMetric: "rw.requests")),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase, Source: new MetricSourceInput(ValueMetric: "rw_latency_ms")),
        ]));
        var exporter = fixture.Exporter;
        foreach (var cohort in new[] { "baseline", "canary" })
        {
            exporter.Set("rw_errors_total", "counter", TextExporter.Labels(id, cohort), 0);
            exporter.Set("rw_requests_total", "counter", TextExporter.Labels(id, cohort), 0);
        }

        exporter.Set("rw_latency_ms", "gauge", TextExporter.Labels(id, "baseline"), 80);
        exporter.Set("rw_latency_ms", "gauge", TextExporter.Labels(id, "canary"), 200);

        // The first sample of a remote-written counter is its baseline: let Prometheus scrape the zeros first.
        await exporter.WaitForScrapesAsync(2, TimeSpan.FromSeconds(15));
        exporter.Set("rw_errors_total", "counter", TextExporter.Labels(id, "baseline"), 1);
        exporter.Set("rw_requests_total", "counter", TextExporter.Labels(id, "baseline"), 500);
        exporter.Set("rw_errors_total", "counter", TextExporter.Labels(id, "canary"), 60);
        exporter.Set("rw_requests_total", "counter", TextExporter.Labels(id, "canary"), 600);

        var deployment = await fixture.WaitForAsync(id, d =>
            d.Summaries.Any(s => s is { Metric: "errors", Cohort: Cohort.Baseline, Total: 500 })
            && d.Summaries.Any(s => s is { Metric: "errors", Cohort: Cohort.Canary, Total: 600 }), TimeSpan.FromSeconds(30));

        var errors = deployment.Summaries.Where(s => s.Metric == "errors").OrderBy(s => s.Cohort).ToArray();
        Assert.Equal([(Cohort.Baseline, 1L, 500L), (Cohort.Canary, 60L, 600L)],
            errors.Select(s => (s.Cohort, s.Count!.Value, s.Total!.Value)).ToArray());
        var latency = deployment.Summaries.Where(s => s.Metric == "latency").OrderBy(s => s.Cohort).ToArray();
        Assert.Equal([(Cohort.Baseline, 80.0), (Cohort.Canary, 200.0)], latency.Select(s => (s.Cohort, s.Mean!.Value)).ToArray());
        Assert.Equal(Decision.Rollback, deployment.Verdict.Decision);
    }
}
