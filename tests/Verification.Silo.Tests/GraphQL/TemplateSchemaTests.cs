using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>Analysis templates and completion pushes through the GraphQL schema (POST /graphql and graphql-transport-ws).</summary>
public sealed class TemplateSchemaTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<JsonElement> PostAsync(string query, object? variables = null) => _http.PostGraphQLAsync(query, variables);

    private const string Put = """
        mutation($name: String!) {
          putTemplate(name: $name, input: {
            metrics: [{name: "errors", kind: RATIO, direction: INCREASE, critical: true},
                      {name: "latency", kind: CONTINUOUS, allowedChange: 0.2}],
            analysis: {maxDurationSeconds: 600}})
          { name metrics { name kind critical allowedChange } analysis { method alpha maxDurationSeconds } }
        }
        """;

    [Fact]
    public async Task PutTemplate_ThenQueries_SameTemplateFromTemplateAndTemplates()
    {
        var put = await PostAsync(Put, new { name = "gq-web" });
        var one = await PostAsync("""{ template(name: "gq-web") { name analysis { maxDurationSeconds } } }""");
        var all = await PostAsync("{ templates { name } }");
        var none = await PostAsync("""{ template(name: "gq-none") { name } }""");

        Assert.Equal("""
            {"data":{"putTemplate":{"name":"gq-web","metrics":[{"name":"errors","kind":"RATIO","critical":true,"allowedChange":null},{"name":"latency","kind":"CONTINUOUS","critical":false,"allowedChange":0.2}],"analysis":{"method":"SEQUENTIAL","alpha":0.01,"maxDurationSeconds":600}}}}
            """.Trim(), put.GetRawText());
        Assert.Equal("""{"data":{"template":{"name":"gq-web","analysis":{"maxDurationSeconds":600}}}}""", one.GetRawText());
        Assert.Contains("gq-web", all.GetProperty("data").GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("""{"data":{"template":null}}""", none.GetRawText());
    }

    [Fact]
    public async Task RegisterDeployment_WithTemplateAndOwnMetric_MergedMetrics()
    {
        await PostAsync(Put, new { name = "gq-reg" });

        var result = await PostAsync("""
            mutation { registerDeployment(input: {id: "gq-d1", service: "checkout", version: "v2", template: "gq-reg",
                metrics: [{name: "cpu", kind: CONTINUOUS}]}) { metrics { name } analysis { maxDurationSeconds } } }
            """);

        Assert.Equal("""
            {"data":{"registerDeployment":{"metrics":[{"name":"errors"},{"name":"latency"},{"name":"cpu"}],"analysis":{"maxDurationSeconds":600}}}}
            """.Trim(), result.GetRawText());
    }

    [Fact]
    public async Task PutTemplate_Invalid_BadUserInputNamingField()
    {
        var result = await PostAsync("""
            mutation { putTemplate(name: "gq-bad", input: {metrics: [{name: "e", kind: RATIO}], analysis: {alpha: 0.9}}) { name } }
            """);

        var error = result.GetProperty("errors")[0];
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("analysis.alpha", error.GetProperty("extensions").GetProperty("field").GetString());
    }

    [Fact]
    public async Task DeleteTemplate_ExistingThenAgain_TrueThenFalse()
    {
        await PostAsync(Put, new { name = "gq-del" });

        var first = await PostAsync("""mutation { deleteTemplate(name: "gq-del") }""");
        var second = await PostAsync("""mutation { deleteTemplate(name: "gq-del") }""");

        Assert.Equal("""{"data":{"deleteTemplate":true}}""", first.GetRawText());
        Assert.Equal("""{"data":{"deleteTemplate":false}}""", second.GetRawText());
    }

    [Fact]
    public async Task VerdictChanged_CompletedWhilePending_PushesTheVerdictAgain()
    {
        await PostAsync("""
            mutation { registerDeployment(input: {id: "gq-ws-complete", service: "checkout", version: "v2",
                metrics: [{name: "errors", kind: RATIO}]}) { id } }
            """);
        var client = factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await client.ConnectAsync(new Uri(factory.Server.BaseAddress, "graphql"), cts.Token);
        await VerificationSchemaTests.SendAsync(socket, """{"type":"connection_init"}""", cts.Token);
        await VerificationSchemaTests.ReceiveAsync(socket, cts.Token);
        await VerificationSchemaTests.SendAsync(socket,
            """{"type":"subscribe","id":"1","payload":{"query":"subscription { verdictChanged(deploymentId: \"gq-ws-complete\") { decision } }"}}""",
            cts.Token);
        var first = await VerificationSchemaTests.ReceiveAsync(socket, cts.Token);

        await PostAsync("""mutation { completeDeployment(id: "gq-ws-complete", status: ABORTED) { status } }""");
        var second = await VerificationSchemaTests.ReceiveAsync(socket, cts.Token);

        Assert.Equal("""{"verdictChanged":{"decision":"PENDING"}}""", first.GetProperty("payload").GetProperty("data").GetRawText());
        Assert.Equal("next", second.GetProperty("type").GetString());
        Assert.Equal("""{"verdictChanged":{"decision":"PENDING"}}""", second.GetProperty("payload").GetProperty("data").GetRawText());
        await VerificationSchemaTests.SendAsync(socket, """{"type":"complete","id":"1"}""", cts.Token);
    }
}
