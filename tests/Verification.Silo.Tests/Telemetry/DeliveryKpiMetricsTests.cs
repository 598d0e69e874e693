using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Telemetry;

/// <summary>The delivery KPIs M1 (p50/p90), M5–M10 on /metrics from a hand-built history, per service, team and overall.</summary>
public sealed class DeliveryKpiMetricsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Digest = "registry.example.com/kpi@sha256:" + new string('0', 64);

    private readonly SiloFactory _root = new();
    private readonly ManualTimeProvider _time = new(Now);
    private WebApplicationFactory<Program>? _factory;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _factory = _root.WithWebHostBuilder(b =>
        {
            b.UseSetting("Metrics:RefreshSeconds", "0");
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_time));
        });
        _http = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await _root.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_HandBuiltHistory_ExactKpisPerServiceTeamAndOverall()
    {
        // kpi (team builds): 6 runs; BUILD failed then succeeded on retry (flaky), TEST succeeded, TEST cancelled (excluded),
        // SECURITY failed and succeeded: 3 succeeded of 5 finished = 0.6; security 1 failed of 2 = 0.5.
        await PostAsync("/v1/pipeline-runs", "application/x-ndjson", """
            {"service":"kpi","pipeline":"ci","runId":"1","kind":"BUILD","status":"FAILED","commitSha":"c1","finishedAt":"2026-11-25T10:00:00Z"}
            {"service":"kpi","pipeline":"ci","runId":"1","kind":"BUILD","status":"SUCCEEDED","commitSha":"c1","attempt":2,"finishedAt":"2026-11-25T10:10:00Z"}
            {"service":"kpi","pipeline":"test","runId":"2","kind":"TEST","status":"SUCCEEDED","finishedAt":"2026-11-25T10:20:00Z"}
            {"service":"kpi","pipeline":"test","runId":"3","kind":"TEST","status":"CANCELLED","finishedAt":"2026-11-25T10:25:00Z"}
            {"service":"kpi","pipeline":"scan","runId":"4","kind":"SECURITY","status":"FAILED","finishedAt":"2026-11-25T10:30:00Z"}
            {"service":"kpi","pipeline":"scan","runId":"5","kind":"SECURITY","status":"SUCCEEDED","finishedAt":"2026-11-25T10:40:00Z"}
            """);
        // Three promoted kpi deployments committed 1, 2 and 6 hours ago (lead time p50 2 h, p90 2 + 0.8 × 4 = 5.2 h), one with
        // full provenance; one "other" deployment without provenance still verifying.
        await RegisterAsync("kpi-1", "kpi", "builds", Now.AddHours(-1), $""","artifact":"{Digest}","buildId":"b-1" """);
        await RegisterAsync("kpi-2", "kpi", "builds", Now.AddHours(-2), "");
        await RegisterAsync("kpi-3", "kpi", "builds", Now.AddHours(-6), "");
        await RegisterAsync("other-1", "other", "others", Now.AddHours(-3), "");
        foreach (var id in new[] { "kpi-1", "kpi-2", "kpi-3" })
        {
            var completed = await _http.PostGraphQLAsync(
                "mutation($id: ID!) { completeDeployment(id: $id, status: PROMOTED) { status } }", new { id });
            Assert.Equal("PROMOTED", completed.GetProperty("data").GetProperty("completeDeployment").GetProperty("status").GetString());
        }

        var sut = DomainMetricsTests.Parse(await _http.GetStringAsync("/metrics"));

        foreach (var scope in new[] { """service="kpi",team="builds" """, """service="",team="builds" """ })
        {
            var labels = scope.TrimEnd();
            Assert.Equal(0.6, sut[$"verification_delivery_pipeline_success_ratio{{{labels}}}"]);
            Assert.Equal(1, sut[$"verification_delivery_pipeline_flaky_runs{{{labels}}}"]);
            Assert.Equal(0.5, sut[$"verification_delivery_security_gate_failure_ratio{{{labels}}}"]);
            Assert.Equal(1.0 / 3, sut[$"verification_delivery_provenance_coverage_ratio{{{labels}}}"], 12);
            Assert.Equal(0, sut[$"verification_delivery_pages_per_release{{{labels}}}"]);
            Assert.Equal(2, sut[$"verification_delivery_lead_time_p50_hours{{{labels}}}"], 9);
            Assert.Equal(5.2, sut[$"verification_delivery_lead_time_p90_hours{{{labels}}}"], 9);
        }

        // Overall: the same runs and promotions, four deployments of which one has full provenance.
        Assert.Equal(0.6, sut["""verification_delivery_pipeline_success_ratio{service="",team=""}"""]);
        Assert.Equal(0.25, sut["""verification_delivery_provenance_coverage_ratio{service="",team=""}"""]);
        Assert.Equal(0, sut["""verification_delivery_provenance_coverage_ratio{service="other",team="others"}"""]);
        // Not measurable, so absent rather than 0: no runs for "other", no promotion there, no ROLLBACK anywhere, no canary effects.
        Assert.DoesNotContain("""verification_delivery_pipeline_success_ratio{service="other",team="others"}""", sut.Keys);
        Assert.DoesNotContain("""verification_delivery_pipeline_flaky_runs{service="other",team="others"}""", sut.Keys);
        Assert.DoesNotContain("""verification_delivery_pages_per_release{service="other",team="others"}""", sut.Keys);
        Assert.DoesNotContain(sut.Keys, k => k.StartsWith("verification_delivery_time_to_detect_minutes{", StringComparison.Ordinal));
        Assert.DoesNotContain(sut.Keys, k => k.StartsWith("verification_delivery_canary_sli_delta_ratio{", StringComparison.Ordinal));
    }

    private async Task PostAsync(string path, string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await _http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {response.StatusCode}: {text}");
    }

    private Task RegisterAsync(string id, string service, string team, DateTimeOffset commitTime, string provenance) =>
        PostAsync("/v1/deployments", "application/json", $$"""
            {"id":"{{id}}","service":"{{service}}","version":"{{id}}","team":"{{team}}","commitSha":"c-{{id}}",
             "commitTime":"{{commitTime.ToString("O", CultureInfo.InvariantCulture)}}"{{provenance}},"metrics":[{"name":"errors","kind":"RATIO"}]}
            """);
}
