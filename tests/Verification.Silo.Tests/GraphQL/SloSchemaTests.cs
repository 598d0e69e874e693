using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>SLOs, budgets, burn rates, incidents and DORA through /graphql (names of docs/API.md).</summary>
public sealed class SloSchemaTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<JsonElement> PostAsync(string query, object? variables = null) => _http.PostGraphQLAsync(query, variables);

    [Fact]
    public async Task ApplySloThenEvents_ServiceShowsBudgetAndBurnRates()
    {
        var applied = await PostAsync("mutation($y: String!) { applySlo(yaml: $y) { service name target budgetingMethod } }",
            new { y = ServiceGrainTests.Yaml("gql-shop") });
        // Target 0.9375: budget 1/16. 1 bad of 32 events: consumed (1/32)/(1/16) = 0.5, every burn rate 0.5.
        var events = await PostAsync("""
            mutation { recordSloEvents(input: {service: "gql-shop", slo: "availability", good: 31, total: 32, batchId: "e1"}) { accepted duplicate } }
            """);
        var again = await PostAsync("""
            mutation { recordSloEvents(input: {service: "gql-shop", slo: "availability", good: 31, total: 32, batchId: "e1"}) { accepted duplicate } }
            """);
        var service = await PostAsync("""
            { service(name: "gql-shop") { name gate { allowed } slos { name budgetRemaining alert good total burnRates { window rate } } } }
            """);

        Assert.Equal("""{"data":{"applySlo":[{"service":"gql-shop","name":"availability","target":0.9375,"budgetingMethod":"OCCURRENCES"}]}}""",
            applied.GetRawText());
        Assert.Equal("""{"accepted":1,"duplicate":false}""", events.GetProperty("data").GetProperty("recordSloEvents").GetRawText());
        Assert.Equal("""{"accepted":0,"duplicate":true}""", again.GetProperty("data").GetProperty("recordSloEvents").GetRawText());
        var s = service.GetProperty("data").GetProperty("service");
        Assert.True(s.GetProperty("gate").GetProperty("allowed").GetBoolean());
        var slo = s.GetProperty("slos")[0];
        Assert.Equal((0.5, "NONE", 31.0, 32.0), (slo.GetProperty("budgetRemaining").GetDouble(), slo.GetProperty("alert").GetString(),
            slo.GetProperty("good").GetDouble(), slo.GetProperty("total").GetDouble()));
        Assert.Equal(["5m", "30m", "1h", "2h", "6h", "1d", "3d"], slo.GetProperty("burnRates").EnumerateArray().Select(b => b.GetProperty("window").GetString()));
        Assert.All(slo.GetProperty("burnRates").EnumerateArray(), b => Assert.Equal(0.5, b.GetProperty("rate").GetDouble()));
    }

    [Fact]
    public async Task ApplySlo_InvalidTarget_BadUserInputWithFieldPaths()
    {
        var result = await PostAsync("mutation($y: String!) { applySlo(yaml: $y) { name } }", new { y = ServiceGrainTests.Yaml("gql-bad", target: "1.5") });

        var error = result.GetProperty("errors")[0];
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains(error.GetProperty("extensions").GetProperty("errors").EnumerateArray(),
            e => e.GetProperty("path").GetString()!.EndsWith("objectives[0].target", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delivery_PromotedDeployment_CountsIt()
    {
        await PostAsync("""
            mutation { registerDeployment(input: {id: "gql-dora-1", service: "gql-dora", version: "v1", team: "payments",
              commitTime: "2020-01-01T00:00:00Z", metrics: [{name: "errors", kind: RATIO}]}) { id team unplanned } }
            """);
        await PostAsync("""mutation { completeDeployment(id: "gql-dora-1", status: PROMOTED) { status } }""");

        var result = await PostAsync("""
            { delivery(team: "payments", days: 7) { team deployments deploymentFrequencyPerDay changeFailureRate reworkRate overrides levels { deploymentFrequency } performance }
              deliveryTrend(service: "gql-dora", weeks: 1) { isoWeek metrics { deployments } } }
            """);

        var d = result.GetProperty("data").GetProperty("delivery");
        Assert.Equal(("payments", 1, 1.0 / 7), (d.GetProperty("team").GetString(), d.GetProperty("deployments").GetInt32(),
            d.GetProperty("deploymentFrequencyPerDay").GetDouble()));
        Assert.Equal((0.0, 0.0), (d.GetProperty("changeFailureRate").GetDouble(), d.GetProperty("reworkRate").GetDouble()));
        Assert.Equal(1, d.GetProperty("overrides").GetInt32()); // promoted while the verdict was PENDING (no data at all)
        Assert.Equal("HIGH", d.GetProperty("levels").GetProperty("deploymentFrequency").GetString());
        Assert.Equal(1, result.GetProperty("data").GetProperty("deliveryTrend")[0].GetProperty("metrics").GetProperty("deployments").GetInt32());
    }

    [Fact]
    public async Task OpenAndResolveIncident_ShowOnService()
    {
        var opened = await PostAsync("""mutation { openIncident(input: {service: "gql-inc", title: "checkout down"}) { id source resolvedAt } }""");
        var id = opened.GetProperty("data").GetProperty("openIncident").GetProperty("id").GetString();
        var resolved = await PostAsync("mutation($id: ID!) { resolveIncident(id: $id) { id resolvedAt } }", new { id });
        var service = await PostAsync("""{ service(name: "gql-inc") { incidents { id title source } } }""");

        Assert.Equal("MANUAL", opened.GetProperty("data").GetProperty("openIncident").GetProperty("source").GetString());
        Assert.NotEqual(JsonValueKind.Null, resolved.GetProperty("data").GetProperty("resolveIncident").GetProperty("resolvedAt").ValueKind);
        Assert.Equal($$"""[{"id":"{{id}}","title":"checkout down","source":"MANUAL"}]""",
            service.GetProperty("data").GetProperty("service").GetProperty("incidents").GetRawText());
    }
}
