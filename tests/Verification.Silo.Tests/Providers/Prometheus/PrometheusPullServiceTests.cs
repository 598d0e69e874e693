using System.Net.Http.Json;
using System.Text.Json;
using Verification.Api.Contracts;

namespace Verification.Silo.Tests.Providers.Prometheus;

/// <summary>The pull provider in the real silo process against a real Prometheus scraping a test exporter.</summary>
[Collection(TelemetryProcessesCollection.Name)]
public sealed class PrometheusPullServiceTests(TelemetryProcessesFixture fixture)
{
    private const string RatioQuery =
        "label_replace(sum(pull_errors_total{deployment_id=\"$deployment\",deployment_cohort=\"$cohort\"}), \"verification_role\", \"count\", \"\", \"\")"
        + " or label_replace(sum(pull_requests_total{deployment_id=\"$deployment\",deployment_cohort=\"$cohort\"}), \"verification_role\", \"total\", \"\", \"\")";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Pull_RatioAndContinuousQueries_SummariesEqualExporterIncreases()
    {
        const string id = "pull-ratio-1";
        await fixture.RegisterAsync(new RegisterDeploymentInput(id, "checkout", "v2",
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true, Source: new MetricSourceInput(Promql: RatioQuery)),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase,
                Source: new MetricSourceInput(Promql: "pull_latency_ms{deployment_id=\"$deployment\",deployment_cohort=\"$cohort\"}")),
        ]));
        var exporter = fixture.Exporter;
        foreach (var cohort in new[] { "baseline", "canary" })
        {
            exporter.Set("pull_errors_total", "counter", TextExporter.Labels(id, cohort), 0);
            exporter.Set("pull_requests_total", "counter", TextExporter.Labels(id, cohort), 0);
        }

        exporter.Set("pull_latency_ms", "gauge", TextExporter.Labels(id, "baseline"), 120);
        exporter.Set("pull_latency_ms", "gauge", TextExporter.Labels(id, "canary"), 250);

        // The first reading of each cohort's counters is the baseline: wait until both were read, then count.
        await WaitForStatusAsync(id, s => s.Count(x => x.GetProperty("metric").GetString() == "errors") == 2);
        exporter.Set("pull_errors_total", "counter", TextExporter.Labels(id, "baseline"), 2);
        exporter.Set("pull_requests_total", "counter", TextExporter.Labels(id, "baseline"), 1000);
        exporter.Set("pull_errors_total", "counter", TextExporter.Labels(id, "canary"), 90);
        exporter.Set("pull_requests_total", "counter", TextExporter.Labels(id, "canary"), 1000);

        var deployment = await fixture.WaitForAsync(id, d =>
            d.Summaries.Any(s => s is { Metric: "errors", Cohort: Cohort.Baseline, Total: 1000 })
            && d.Summaries.Any(s => s is { Metric: "errors", Cohort: Cohort.Canary, Total: 1000 }), Timeout);

        var errors = deployment.Summaries.Where(s => s.Metric == "errors").OrderBy(s => s.Cohort).ToArray();
        Assert.Equal([(Cohort.Baseline, 2L, 1000L), (Cohort.Canary, 90L, 1000L)],
            errors.Select(s => (s.Cohort, s.Count!.Value, s.Total!.Value)).ToArray());
        var latency = deployment.Summaries.Where(s => s.Metric == "latency").OrderBy(s => s.Cohort).ToArray();
        Assert.Equal([(Cohort.Baseline, 120.0), (Cohort.Canary, 250.0)], latency.Select(s => (s.Cohort, s.Mean!.Value)).ToArray());
        Assert.All(latency, s => Assert.True(s.Observations >= 1));
        Assert.Equal(Decision.Rollback, deployment.Verdict.Decision);
    }

    [Fact]
    public async Task Pull_FailingAndEmptyQueries_ReportedAndNeverPromoted()
    {
        const string id = "pull-broken-1";
        await fixture.RegisterAsync(new RegisterDeploymentInput(id, "checkout", "v3",
        [
            new MetricInput("broken", MetricKind.Continuous, Source: new MetricSourceInput(Promql: "sum(pull_latency_ms{deployment_id=\"$deployment\"")),
            new MetricInput("empty", MetricKind.Continuous, Source: new MetricSourceInput(Promql: "pull_nothing{deployment_id=\"$deployment\"}")),
            new MetricInput("unlabelled", MetricKind.Ratio,
                Source: new MetricSourceInput(Promql: "sum(pull_requests_total{deployment_id=\"$deployment\",deployment_cohort=\"$cohort\"})")),
        ],
        Analysis: new AnalysisInput(MinDurationSeconds: 0, MaxDurationSeconds: 3600)));
        fixture.Exporter.Set("pull_requests_total", "counter", TextExporter.Labels(id, "baseline"), 10);
        fixture.Exporter.Set("pull_requests_total", "counter", TextExporter.Labels(id, "canary"), 10);

        var statuses = await WaitForStatusAsync(id, s => s.Length == 6
            && s.Single(x => x.GetProperty("metric").GetString() == "unlabelled" && x.GetProperty("cohort").GetString() == "CANARY")
                .GetProperty("outcome").GetString() == "ERROR");

        var byMetric = statuses.Where(s => s.GetProperty("cohort").GetString() == "CANARY")
            .ToDictionary(s => s.GetProperty("metric").GetString()!, s => s);
        Assert.Equal("ERROR", byMetric["broken"].GetProperty("outcome").GetString());
        Assert.Contains("parse error", byMetric["broken"].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("NODATA", byMetric["empty"].GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, byMetric["empty"].GetProperty("lastError").ValueKind);
        Assert.Contains("verification_role", byMetric["unlabelled"].GetProperty("lastError").GetString(), StringComparison.Ordinal);

        var deployment = await fixture.GetAsync(id);
        Assert.Empty(deployment.Summaries);
        Assert.NotEqual(Decision.Promote, deployment.Verdict.Decision);
        Assert.Equal(
            [("broken", Classification.Nodata), ("empty", Classification.Nodata), ("unlabelled", Classification.Nodata)],
            deployment.Verdict.Metrics.Select(m => (m.Metric, m.Classification)).OrderBy(m => m.Metric, StringComparer.Ordinal).ToArray());
    }

    private async Task<JsonElement[]> WaitForStatusAsync(string id, Func<JsonElement[], bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var statuses = (await fixture.Http.GetFromJsonAsync<JsonElement[]>($"prometheus/pull/{id}"))!;
            if (done(statuses))
            {
                return statuses;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The pull status of {id} did not reach the expected state: {string.Join(", ", statuses)}");
            }

            await Task.Delay(100);
        }
    }
}
