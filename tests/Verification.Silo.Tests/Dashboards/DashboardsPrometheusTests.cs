using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verification.Silo.Tests.Providers.Prometheus;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Tests.Ui;

namespace Verification.Silo.Tests.Dashboards;

/// <summary>
/// Every panel query of the Grafana dashboards evaluated by a real Prometheus that scrapes a real silo process every
/// second and evaluates the rules the silo generates (GET /v1/services/{name}/prometheus-rules) for an SLO on the
/// silo's own HTTP requests. The silo is fed a scenario (a deployment, samples, GraphQL reads, a refused and a
/// partly rejected OTLP request, an open GraphQL WebSocket); each query must return series, except those whose series cannot exist in a
/// healthy run, named with the reason.
/// </summary>
public sealed partial class DashboardsPrometheusTests : IDisposable
{
    private const string SelfSlo = """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: api-availability}
        spec:
          service: verification
          indicator:
            metadata: {name: api-requests}
            spec:
              ratioMetric:
                counter: true
                good:  {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_server_request_duration_seconds_count{http_response_status_code!~"5.."}[1m]))'}}}
                total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_server_request_duration_seconds_count[1m]))'}}}
          timeWindow: [{duration: 28d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """;

    /// <summary>Queries that return nothing in this healthy scenario, and why (dashboard, panel, refId).</summary>
    private static readonly Dictionary<string, string> ExpectedEmpty = new()
    {
        ["canary.json/Gate-relevant alerts/A"] = "no SLO burns, so no alert fires",
        ["sre.json/Alerts firing/A"] = "no SLO burns, so no alert fires",
        ["sre.json/Time to exhaustion/A"] = "no 5xx, so the 1h burn rate is 0 and the budget is not running out",
        ["canary.json/Telemetry refused or rejected/C"] = "no PromQL pull is configured, so none fails",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("verification-dashboards-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task EveryPanelQuery_RealPrometheusScrapingTheSilo_ReturnsTheExpectedSeries()
    {
        Assert.True(PrometheusServer.Installed, "prometheus is required (test.sh installs it)");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(
            new Dictionary<string, string> { ["Storage:Provider"] = "sqlite", ["Storage:ConnectionString"] = $"Data Source={_directory}/d.db" }, ct);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        await FeedAsync(http, ct);
        // A live verdict subscription, as the UI's deployment page keeps one open.
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");
        await socket.ConnectAsync(new UriBuilder(silo.BaseAddress) { Scheme = "ws", Path = "/graphql" }.Uri, ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"connection_init"}"""), WebSocketMessageType.Text, true, ct);
        var rules = await http.GetStringAsync("/v1/services/verification/prometheus-rules?team=platform", ct);
        var config = $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: verification
                static_configs:
                  - targets: ['{silo.BaseAddress.Authority}']
            """;
        await using var prometheus = await PrometheusServer.StartAsync(PrometheusServer.FreePort(), config,
            new Dictionary<string, string> { ["rules.yml"] = rules }, ct);
        using var api = new HttpClient { BaseAddress = prometheus.Address };
        // Rate windows need two scrapes; the recorded budget appears after the next rule evaluation.
        while (await CountAsync(api, """slo:error_budget_remaining:ratio{service="verification",team="platform"}""", ct) == 0)
        {
            await Task.Delay(200, ct);
        }

        await GraphQLAsync(http, ct);
        var empty = new Dictionary<string, string>();
        foreach (var (key, expr) in Queries())
        {
            if (await CountAsync(api, Substitute(expr), ct) == 0)
            {
                empty[key] = expr;
            }
        }

        Assert.Equal(ExpectedEmpty.Keys.Order(StringComparer.Ordinal), empty.Keys.Order(StringComparer.Ordinal));
    }

    private static async Task FeedAsync(HttpClient http, CancellationToken ct)
    {
        using var slo = await http.PostAsync("/v1/slos", new StringContent(SelfSlo, Encoding.UTF8, "application/yaml"), ct);
        Assert.Equal(HttpStatusCode.OK, slo.StatusCode);
        // Deployments of the service itself, by the team the dashboards' variables select: one being verified, one
        // rolled back, one promoted (so every delivery metric has a value).
        foreach (var id in new[] { "dash-1", "dash-2", "dash-3" })
        {
            await UiScenario.RegisterAsync(http, id, "verification", id, "platform", DateTimeOffset.UtcNow.AddHours(-1),
                [new { name = "errors", kind = "RATIO", direction = "INCREASE" }]);
            await UiScenario.RatioAsync(http, id, "BASELINE", 1, 1000, 3);
            await UiScenario.RatioAsync(http, id, "CANARY", 1, 1000, 3);
        }

        await GraphQLAsync(http, """mutation { a: completeDeployment(id: "dash-2", status: ROLLED_BACK) { status } b: completeDeployment(id: "dash-3", status: PROMOTED) { status } }""", ct);
        // One whose canary errors are 4× the baseline's (a ROLLBACK verdict, then rolled back: time to detect has a value), and pipeline runs
        // (a build, a passed and a failed security gate) for the pipeline and security KPIs.
        await UiScenario.RegisterAsync(http, "dash-4", "verification", "dash-4", "platform", DateTimeOffset.UtcNow.AddHours(-1),
            [new { name = "errors", kind = "RATIO", direction = "INCREASE", critical = true, allowedChange = 0.2 }]);
        await UiScenario.RatioAsync(http, "dash-4", "BASELINE", 10, 10_000, 2);
        await UiScenario.RatioAsync(http, "dash-4", "CANARY", 40, 10_000, 2);
        await GraphQLAsync(http, """mutation { completeDeployment(id: "dash-4", status: ROLLED_BACK) { status } }""", ct);
        using var runs = await http.PostAsync("/v1/pipeline-runs", new StringContent("""
            {"service":"verification","pipeline":"ci","runId":"1","kind":"BUILD","status":"SUCCEEDED"}
            {"service":"verification","pipeline":"scan","runId":"2","kind":"SECURITY","status":"SUCCEEDED"}
            {"service":"verification","pipeline":"scan","runId":"3","kind":"SECURITY","status":"FAILED"}
            """, Encoding.UTF8, "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        // Refused by the receiver itself (not protobuf), so it counts in verification_telemetry_refused_requests_total; a
        // text/plain body would be refused earlier, by the browser-request guard, and never reach the receiver.
        using var refused = await http.PostAsync("/otlp/v1/metrics",
            new ByteArrayContent([0xff, 0xff, 0xff]) { Headers = { ContentType = new("application/x-protobuf") } }, ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        const string unknownDeployment = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"deployment.id","value":{"stringValue":"nope"}},
            {"key":"deployment.cohort","value":{"stringValue":"canary"}}]},"scopeMetrics":[{"metrics":[{"name":"errors",
            "gauge":{"dataPoints":[{"asDouble":1.0,"timeUnixNano":"1700000000000000000"}]}}]}]}]}
            """;
        using var rejected = await http.PostAsync("/otlp/v1/metrics", new StringContent(unknownDeployment, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        await GraphQLAsync(http, ct);
    }

    private static Task GraphQLAsync(HttpClient http, CancellationToken ct) => GraphQLAsync(http, "{ deployments { id } }", ct);

    private static async Task GraphQLAsync(HttpClient http, string query, CancellationToken ct)
    {
        using var response = await http.PostAsync("/graphql",
            new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.False(document.RootElement.TryGetProperty("errors", out var errors), errors.ToString());
    }

    /// <summary>Every target of every dashboard, keyed "file/panel title/refId".</summary>
    private static IEnumerable<(string Key, string Expr)> Queries()
    {
        var grafana = Path.Combine(Promtool.DashboardsDirectory(), "grafana");
        foreach (var file in Directory.GetFiles(grafana, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("targets", out _)))
            {
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    yield return ($"{Path.GetFileName(file)}/{panel.GetProperty("title").GetString()}/{target.GetProperty("refId").GetString()}",
                        target.GetProperty("expr").GetString()!);
                }
            }
        }
    }

    private static async Task<int> CountAsync(HttpClient api, string query, CancellationToken ct)
    {
        var body = await api.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query), ct);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("success", document.RootElement.GetProperty("status").GetString());
        return document.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }

    /// <summary>The dashboard variables as the scenario's values.</summary>
    private static string Substitute(string expr) =>
        Variable().Replace(expr, m => m.Groups["name"].Value switch
        {
            "__rate_interval" or "__interval" => "1m",
            "__range" => "1h",
            "service" => "verification",
            "team" => "platform",
            var other => throw new InvalidOperationException("Unknown variable " + other),
        });

    [GeneratedRegex(@"\$\{?(?<name>\w+)\}?")]
    private static partial Regex Variable();
}
