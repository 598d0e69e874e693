using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary>Incidents and DORA through HTTP on a scenario computed by hand, on a manual clock.</summary>
public sealed class DeliveryEndpointsTests : IAsyncLifetime
{
    private readonly SiloFactory _root = new();
    private readonly ManualTimeProvider _time = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _factory;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _factory = _root.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_time)));
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

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private Task RegisterAsync(string id, string team, DateTimeOffset commit) => SendAsync(HttpMethod.Post, "/v1/deployments", Json($$"""
        {"id":"{{id}}","service":"pay","version":"{{id}}","team":"{{team}}","commitTime":"{{commit:O}}",
         "metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true}]}
        """), HttpStatusCode.Created);

    private Task CompleteAsync(string id, string status) =>
        SendAsync(HttpMethod.Post, $"/v1/deployments/{id}/complete", Json($$"""{"status":"{{status}}"}"""), HttpStatusCode.OK);

    private void At(DateTimeOffset t0, double hours) => _time.Advance(t0.AddHours(hours) - _time.GetUtcNow());

    [Fact]
    public async Task GetDelivery_HandComputedScenario_ExactMetrics()
    {
        var t0 = _time.GetUtcNow();
        // d1: commit t0 − 24 h, promoted t0 + 2 h → lead time 26 h.
        await RegisterAsync("d1", "alpha", t0.AddHours(-24));
        At(t0, 2);
        await CompleteAsync("d1", "PROMOTED");
        // d2: the judge rolls back at t0 + 3 h (failure detected), rolled back at t0 + 4 h → recovery 1 h.
        await RegisterAsync("d2", "alpha", t0.AddHours(1));
        At(t0, 3);
        await SendAsync(HttpMethod.Post, "/v1/samples", new StringContent(
            """
            {"deploymentId":"d2","cohort":"BASELINE","metric":"errors","count":0,"total":10000}
            {"deploymentId":"d2","cohort":"CANARY","metric":"errors","count":20,"total":10000}
            """, Encoding.UTF8, "application/x-ndjson"), HttpStatusCode.OK);
        At(t0, 4);
        await CompleteAsync("d2", "ROLLED_BACK");
        // d3: commit t0 + 4 h, promoted t0 + 6 h → lead time 2 h; an incident t0 + 7 h … t0 + 9 h → recovery 2 h.
        At(t0, 5);
        await RegisterAsync("d3", "alpha", t0.AddHours(4));
        At(t0, 6);
        await CompleteAsync("d3", "PROMOTED");
        At(t0, 7);
        var incident = await SendAsync(HttpMethod.Post, "/v1/incidents", Json("""{"service":"pay","title":"Payments fail","deploymentId":"d3"}"""),
            HttpStatusCode.Created);
        // d4: commit t0 + 8 h, promoted t0 + 9 h → lead time 1 h; it fixes the incident → rework.
        At(t0, 8);
        await RegisterAsync("d4", "alpha", t0.AddHours(8));
        At(t0, 9);
        await CompleteAsync("d4", "PROMOTED");
        var resolved = await SendAsync(HttpMethod.Post, "/v1/incidents/pay-1/resolve", Json("""{"fixedByDeploymentId":"d4"}"""), HttpStatusCode.OK);
        // d5: another team's.
        await RegisterAsync("d5", "beta", t0.AddHours(9));
        At(t0, 10);
        await CompleteAsync("d5", "PROMOTED");

        var report = await SendAsync(HttpMethod.Get, "/v1/delivery?service=pay&team=alpha&days=30", null, HttpStatusCode.OK);

        Assert.Equal(("pay-1", "d3"), (incident.GetProperty("id").GetString(), incident.GetProperty("deploymentId").GetString()));
        Assert.Equal(t0.AddHours(9), resolved.GetProperty("resolvedAt").GetDateTimeOffset());
        var m = report.GetProperty("metrics");
        // Team alpha: d1 … d4 in the window; promoted d1, d3, d4 → 3 / 30 days.
        Assert.Equal(4, m.GetProperty("deployments").GetInt32());
        Assert.Equal(3.0 / 30, m.GetProperty("deploymentFrequencyPerDay").GetDouble());
        // Lead times 1, 2, 26 h: median 2; p90 (type 7) = 2 + 0.8 · (26 − 2) = 21.2.
        Assert.Equal(2.0, m.GetProperty("leadTimeHours").GetDouble());
        Assert.Equal(2 + (0.8 * 24), m.GetProperty("leadTimeP90Hours").GetDouble(), 12);
        // Failed: d2 (rolled back), d3 (incident) of 4 finished; recoveries 1 h and 2 h; rework d4 of 4.
        Assert.Equal(0.5, m.GetProperty("changeFailureRate").GetDouble());
        Assert.Equal(1.5, m.GetProperty("recoveryTimeHours").GetDouble());
        Assert.Equal(0.25, m.GetProperty("reworkRate").GetDouble());
        // Levels: 0.1/day medium (≥ 1/30), lead 2 h elite, 50 % failures low, 1.5 h recovery high → overall low.
        Assert.Equal("""{"deploymentFrequency":"MEDIUM","leadTime":"ELITE","changeFailureRate":"LOW","recoveryTime":"HIGH"}""",
            m.GetProperty("levels").GetRawText());
        Assert.Equal("LOW", m.GetProperty("performance").GetString());
        Assert.Equal(0, report.GetProperty("weeks").GetArrayLength());
    }

    [Fact]
    public async Task GetDelivery_Weeks_OneRowPerIsoWeek()
    {
        var t0 = _time.GetUtcNow(); // Sunday 2026-11-01 12:00 UTC (ISO week 44)
        await RegisterAsync("w1", "alpha", t0.AddHours(-1));
        await CompleteAsync("w1", "PROMOTED");
        At(t0, 24); // Monday 2026-11-02 (ISO week 45)
        await RegisterAsync("w2", "alpha", t0.AddHours(23));
        await CompleteAsync("w2", "PROMOTED");

        var report = await SendAsync(HttpMethod.Get, $"/v1/delivery?team=alpha&from={Uri.EscapeDataString(t0.AddDays(-1).ToString("O"))}"
            + $"&to={Uri.EscapeDataString(t0.AddDays(2).ToString("O"))}", null, HttpStatusCode.OK);

        var weeks = report.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal([44, 45], weeks.Select(w => w.GetProperty("isoWeek").GetInt32()));
        // Week 44 clipped to Saturday 12:00 … Monday 00:00 (1.5 days), one promotion; week 45 Monday … Tuesday 12:00.
        Assert.Equal([1 / 1.5, 1 / 1.5], weeks.Select(w => w.GetProperty("metrics").GetProperty("deploymentFrequencyPerDay").GetDouble()));
    }

    [Fact]
    public async Task GetDelivery_BadDays_400OnDays()
    {
        var problem = await SendAsync(HttpMethod.Get, "/v1/delivery?days=0", null, HttpStatusCode.BadRequest);

        Assert.Equal("days", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task ResolveIncident_Unknown_404()
    {
        using var response = await _http.PostAsync("/v1/incidents/pay-7/resolve", Json("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
