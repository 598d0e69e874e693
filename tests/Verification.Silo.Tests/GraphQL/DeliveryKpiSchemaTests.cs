using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>The on-call view, the KPI table and maxBurnRate through /graphql.</summary>
public sealed class DeliveryKpiSchemaTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<JsonElement> PostAsync(string query, object? variables = null) => _http.PostGraphQLAsync(query, variables);

    private static JsonElement Data(JsonElement result, string field)
    {
        Assert.False(result.TryGetProperty("errors", out var errors), errors.ToString());
        return result.GetProperty("data").GetProperty(field);
    }

    [Fact]
    public async Task RecentDeployments_PageAfterPromotion_ListedUnderBothDeploymentsItFollowed()
    {
        await PostAsync("""
            mutation {
              a: registerDeployment(input: {id: "oc-1", service: "oncall", version: "1", commitSha: "c1", buildId: "b1",
                artifact: "reg/oncall@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                metrics: [{name: "errors", kind: RATIO}]}) { id }
              c: completeDeployment(id: "oc-1", status: PROMOTED) { id }
            }
            """);
        await PostAsync("""mutation { registerDeployment(input: {id: "oc-2", service: "oncall", version: "2", metrics: [{name: "errors", kind: RATIO}]}) { id } }""");
        await PostAsync("""mutation { openIncident(input: {service: "oncall", title: "5xx on /pay"}) { id } }""");

        var service = Data(await PostAsync("""
            { service(name: "oncall") { recentDeployments(first: 5) { id provenanceMissing verdict { decision } pagesAfter { id title } } } }
            """), "service");
        var one = Data(await PostAsync("""{ service(name: "oncall") { recentDeployments(first: 1) { id } } }"""), "service");
        var tooMany = await PostAsync("""{ service(name: "oncall") { recentDeployments(first: 101) { id } } }""");

        Assert.Equal(
            """[{"id":"oc-2","provenanceMissing":["commitSha","artifact","buildId"],"verdict":{"decision":"PENDING"},"pagesAfter":[{"id":"oncall-1","title":"5xx on /pay"}]},"""
            + """{"id":"oc-1","provenanceMissing":[],"verdict":{"decision":"PENDING"},"pagesAfter":[{"id":"oncall-1","title":"5xx on /pay"}]}]""",
            service.GetProperty("recentDeployments").GetRawText());
        Assert.Equal("""[{"id":"oc-2"}]""", one.GetProperty("recentDeployments").GetRawText());
        Assert.Equal("first", tooMany.GetProperty("errors")[0].GetProperty("extensions").GetProperty("field").GetString());

        // One of two production deployments has full provenance; the page is attributed to no deployment.
        var delivery = Data(await PostAsync("""
            { delivery(service: "oncall") { provenanceCoverage pagesPerRelease pipelineRuns pipelineSuccessRate
                leadTimeHistogram { upToHours count } kpis { id value target met } } }
            """), "delivery");
        Assert.Equal("""{"id":"M7","value":0.5,"target":"100 %","met":false}""", delivery.GetProperty("kpis")[6].GetRawText());
        Assert.Equal("""{"id":"M10","value":0,"target":"≤ 0.05 (1 in 20 releases)","met":true}""", delivery.GetProperty("kpis")[9].GetRawText());
        Assert.Equal((0.5, 0.0, 0, JsonValueKind.Null), (delivery.GetProperty("provenanceCoverage").GetDouble(),
            delivery.GetProperty("pagesPerRelease").GetDouble(), delivery.GetProperty("pipelineRuns").GetInt32(),
            delivery.GetProperty("pipelineSuccessRate").ValueKind));
        Assert.Equal(5, delivery.GetProperty("leadTimeHistogram").GetArrayLength());
    }

    [Fact]
    public async Task SetReleasePolicy_MaxBurnRate_StoredAndBadWindowNamed()
    {
        var set = Data(await PostAsync("""
            mutation { setReleasePolicy(service: "burn", policy: {maxBurnRate: {window: "1h", rate: 2}}) { maxBurnRate { window rate } } }
            """), "setReleasePolicy");
        var bad = await PostAsync("""
            mutation { setReleasePolicy(service: "burn", policy: {maxBurnRate: {window: "90m", rate: 2}}) { incidentWindowMinutes } }
            """);

        Assert.Equal("""{"maxBurnRate":{"window":"1h","rate":2}}""", set.GetRawText());
        var extensions = bad.GetProperty("errors")[0].GetProperty("extensions");
        Assert.Equal(("BAD_USER_INPUT", "maxBurnRate.window"), (extensions.GetProperty("code").GetString(), extensions.GetProperty("field").GetString()));
    }
}
