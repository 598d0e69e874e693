using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>The v1 schema end to end through POST /graphql, GET /graphql and the graphql-transport-ws WebSocket.</summary>
public sealed class VerificationSchemaTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<JsonElement> PostAsync(string query, object? variables = null) => _http.PostGraphQLAsync(query, variables);

    private const string Register = """
        mutation($id: ID!) {
          registerDeployment(input: {
            id: $id, service: "checkout", version: "v2", commitTime: "2026-11-20T08:00:00Z",
            metrics: [{name: "errors", kind: RATIO, direction: INCREASE, critical: true},
                      {name: "latency", kind: CONTINUOUS, allowedChange: 0.2, source: {valueMetric: "http.server.duration"}}],
            analysis: {method: SEQUENTIAL, alpha: 0.01, maxDurationSeconds: 3600}})
          { id service environment status commitTime analysis { method alpha maxDurationSeconds }
            metrics { name kind direction critical allowedChange source { valueMetric } }
            verdict { decision reason metrics { metric classification } } }
        }
        """;

    [Fact]
    public async Task RegisterDeployment_Mutation_ReturnsDeploymentWithDefaults()
    {
        var result = await PostAsync(Register, new { id = "g1" });

        var d = result.GetProperty("data").GetProperty("registerDeployment");
        Assert.Equal("""{"method":"SEQUENTIAL","alpha":0.01,"maxDurationSeconds":3600}""", d.GetProperty("analysis").GetRawText());
        Assert.Equal(("production", "VERIFYING", "2026-11-20T08:00:00Z"),
            (d.GetProperty("environment").GetString(), d.GetProperty("status").GetString(), d.GetProperty("commitTime").GetString()));
        Assert.Equal("""{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true,"allowedChange":null,"source":null}""",
            d.GetProperty("metrics")[0].GetRawText());
        Assert.Equal("http.server.duration", d.GetProperty("metrics")[1].GetProperty("source").GetProperty("valueMetric").GetString());
        Assert.Equal("PENDING", d.GetProperty("verdict").GetProperty("decision").GetString());
        Assert.Equal("NODATA", d.GetProperty("verdict").GetProperty("metrics")[0].GetProperty("classification").GetString());
    }

    [Fact]
    public async Task RegisterDeployment_PromotionMargin_ReturnedAsRegistered()
    {
        var result = await PostAsync("""
            mutation { registerDeployment(input: {id: "gpm", service: "s", version: "v",
              metrics: [{name: "errors", kind: RATIO, direction: INCREASE, promotionMargin: 0.5}, {name: "latency", kind: CONTINUOUS}]})
              { metrics { name allowedChange promotionMargin } } }
            """);

        Assert.Equal("""[{"name":"errors","allowedChange":null,"promotionMargin":0.5},{"name":"latency","allowedChange":null,"promotionMargin":null}]""",
            result.GetProperty("data").GetProperty("registerDeployment").GetProperty("metrics").GetRawText());
    }

    [Fact]
    public async Task RegisterDeployment_PromotionMarginZero_BadUserInputNamingTheField()
    {
        var result = await PostAsync("""
            mutation { registerDeployment(input: {id: "gpm0", service: "s", version: "v", metrics: [{name: "errors", kind: RATIO, promotionMargin: 0}]}) { id } }
            """);

        var error = result.GetProperty("errors")[0];
        Assert.Equal(("BAD_USER_INPUT", "metrics[0].promotionMargin"),
            (error.GetProperty("extensions").GetProperty("code").GetString(), error.GetProperty("extensions").GetProperty("field").GetString()));
        Assert.Equal("metrics[0].promotionMargin: must be a finite number > 0, got 0", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task RegisterDeployment_SameIdDifferentInput_ConflictCode()
    {
        await PostAsync(Register, new { id = "g2" });

        var result = await PostAsync("""mutation { registerDeployment(input: {id: "g2", service: "s", version: "v9", metrics: [{name: "m", kind: RATIO}]}) { id } }""");

        Assert.Equal(JsonValueKind.Null, result.GetProperty("data").ValueKind);
        var error = result.GetProperty("errors")[0];
        Assert.Equal("CONFLICT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("service", error.GetProperty("extensions").GetProperty("field").GetString());
        Assert.Equal("""["registerDeployment"]""", error.GetProperty("path").GetRawText());
    }

    [Fact]
    public async Task CompleteDeployment_PromotedWhilePending_OverrideThenSamplesConflict()
    {
        // Its own silo: a promoted deployment would show in the shared fixture's listings.
        await using var silo = new SiloFactory();
        var http = silo.CreateClient();
        await http.PostGraphQLAsync("""mutation { registerDeployment(input: {id: "g-override", service: "override", version: "v1", metrics: [{name: "errors", kind: RATIO}]}) { id } }""");

        var completed = await http.PostGraphQLAsync("""mutation { completeDeployment(id: "g-override", status: PROMOTED) { status verdict { decision } override { completedAs decision } } }""");
        var samples = await http.PostGraphQLAsync("""mutation { recordSamples(input: {deploymentId: "g-override", cohort: CANARY, metric: "errors", count: 1, total: 10}) { accepted } }""");

        Assert.Equal("""{"status":"PROMOTED","verdict":{"decision":"PENDING"},"override":{"completedAs":"PROMOTED","decision":"PENDING"}}""",
            completed.GetProperty("data").GetProperty("completeDeployment").GetRawText());
        var error = samples.GetProperty("errors")[0];
        Assert.Equal("CONFLICT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("deploymentId", error.GetProperty("extensions").GetProperty("field").GetString());
    }

    [Fact]
    public async Task RecordSamples_ZeroErrorBaseline_RollbackWithEvidence()
    {
        await PostAsync(Register, new { id = "g3" });
        const string record = """
            mutation($c: Cohort!, $n: Int!, $b: String) {
              recordSamples(input: {deploymentId: "g3", cohort: $c, metric: "errors", count: $n, total: 10000, batchId: $b})
              { accepted duplicate verdict { decision reason decidedAt metrics { metric classification pValue baselineCount canaryCount } } }
            }
            """;

        await PostAsync(record, new { c = "BASELINE", n = 0, b = "b1" });
        var canary = await PostAsync(record, new { c = "CANARY", n = 20, b = "c1" });
        var again = await PostAsync(record, new { c = "CANARY", n = 20, b = "c1" });

        var payload = canary.GetProperty("data").GetProperty("recordSamples");
        Assert.Equal((1, false), (payload.GetProperty("accepted").GetInt32(), payload.GetProperty("duplicate").GetBoolean()));
        Assert.Equal("ROLLBACK", payload.GetProperty("verdict").GetProperty("decision").GetString());
        var m = payload.GetProperty("verdict").GetProperty("metrics")[0];
        Assert.Equal(("HIGH", 10000, 10000), (m.GetProperty("classification").GetString(), m.GetProperty("baselineCount").GetInt32(), m.GetProperty("canaryCount").GetInt32()));
        Assert.True(m.GetProperty("pValue").GetDouble() < 0.01);
        var duplicate = again.GetProperty("data").GetProperty("recordSamples");
        Assert.Equal((0, true), (duplicate.GetProperty("accepted").GetInt32(), duplicate.GetProperty("duplicate").GetBoolean()));
    }

    [Fact]
    public async Task RecordSamples_CountAboveTotal_BadUserInputNamingField()
    {
        await PostAsync(Register, new { id = "g4" });

        var result = await PostAsync("""mutation { recordSamples(input: {deploymentId: "g4", cohort: CANARY, metric: "errors", count: 5, total: 1}) { accepted } }""");

        var error = result.GetProperty("errors")[0];
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("count", error.GetProperty("extensions").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Deployments_Query_FiltersAndGetWorks()
    {
        await PostAsync(Register, new { id = "list-a" });
        await PostAsync(Register, new { id = "list-b" });
        await PostAsync("""mutation { completeDeployment(id: "list-b", status: PROMOTED) { status finishedAt } }""");

        using var response = await _http.GetAsync("/graphql?query=" + Uri.EscapeDataString("""{ deployments(status: PROMOTED, first: 10) { id status } }"""));
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        Assert.Equal("""[{"id":"list-b","status":"PROMOTED"}]""", data.GetProperty("deployments").GetRawText());
    }

    [Fact]
    public async Task Deployment_Unknown_IsNull()
    {
        var result = await PostAsync("""{ deployment(id: "nope") { id } }""");

        Assert.Equal("""{"data":{"deployment":null}}""", result.GetRawText());
    }

    [Fact]
    public async Task Mutation_OverGet_405()
    {
        using var response = await _http.GetAsync("/graphql?query=" + Uri.EscapeDataString("""mutation { completeDeployment(id: "x", status: ABORTED) { id } }"""));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task VerdictChanged_Subscription_PushesCurrentThenRollback()
    {
        await PostAsync(Register, new { id = "ws-1" });
        var client = factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await client.ConnectAsync(new Uri(factory.Server.BaseAddress, "graphql"), cts.Token);

        await SendAsync(socket, """{"type":"connection_init"}""", cts.Token);
        Assert.Equal("connection_ack", (await ReceiveAsync(socket, cts.Token)).GetProperty("type").GetString());
        await SendAsync(socket, """{"type":"subscribe","id":"1","payload":{"query":"subscription { verdictChanged(deploymentId: \"ws-1\") { decision } }"}}""", cts.Token);
        var first = await ReceiveAsync(socket, cts.Token);
        await PostAsync("""mutation { b: recordSamples(input: {deploymentId: "ws-1", cohort: BASELINE, metric: "errors", count: 0, total: 10000}) { accepted } }""");
        await PostAsync("""mutation { c: recordSamples(input: {deploymentId: "ws-1", cohort: CANARY, metric: "errors", count: 30, total: 10000}) { accepted } }""");
        string? decision;
        do
        {
            var next = await ReceiveAsync(socket, cts.Token);
            Assert.Equal("next", next.GetProperty("type").GetString());
            decision = next.GetProperty("payload").GetProperty("data").GetProperty("verdictChanged").GetProperty("decision").GetString();
        }
        while (decision != "ROLLBACK");

        Assert.Equal("PENDING", first.GetProperty("payload").GetProperty("data").GetProperty("verdictChanged").GetProperty("decision").GetString());
        await SendAsync(socket, """{"type":"complete","id":"1"}""", cts.Token);
    }

    internal static Task SendAsync(WebSocket socket, string json, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, ct);

    internal static async Task<JsonElement> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }
}
