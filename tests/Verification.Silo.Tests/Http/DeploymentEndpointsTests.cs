using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

public sealed class DeploymentEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string RegisterJson(string id, string version = "v2") => $$$"""
        {"id":"{{{id}}}","service":"checkout","version":"{{{version}}}","metrics":[
          {"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true},
          {"name":"latency","kind":"CONTINUOUS"}],
         "analysis":{"method":"MANN_WHITNEY","alpha":0.05}}
        """;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent Ndjson(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    private async Task<string> RegisterAsync(string id)
    {
        using var response = await _http.PostAsync("/v1/deployments", Json(RegisterJson(id)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Register_NewThenSameThenDifferent_201Then200Then409()
    {
        using var created = await _http.PostAsync("/v1/deployments", Json(RegisterJson("r1")));
        using var same = await _http.PostAsync("/v1/deployments", Json(RegisterJson("r1")));
        using var different = await _http.PostAsync("/v1/deployments", Json(RegisterJson("r1", "v3")));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("VERIFYING", body.GetProperty("status").GetString());
        Assert.Equal("MANN_WHITNEY", body.GetProperty("analysis").GetProperty("method").GetString());
        Assert.Equal("PENDING", body.GetProperty("verdict").GetProperty("decision").GetString());
        var conflict = await ProblemAsync(different);
        Assert.Contains("different version", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("version", conflict.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Register_UnknownEnumValue_400ListingTheAllowedValues()
    {
        using var response = await _http.PostAsync("/v1/deployments", Json("""{"id":"e1","service":"s","version":"v","metrics":[{"name":"m","kind":"PERCENT"}]}"""));

        var problem = await ProblemAsync(response);
        Assert.Equal("metrics[0].kind: 'PERCENT' is not one of RATIO, CONTINUOUS", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("""{"id":"t1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO","critical":"yes"}]}""", "metrics[0].critical: must be true or false")]
    [InlineData("""{"id":"t1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO","allowedChange":"10%"}]}""", "metrics[0].allowedChange: must be a number")]
    [InlineData("""{"id":"t1","service":"s","version":"v","commitTime":"yesterday","metrics":[{"name":"m","kind":"RATIO"}]}""", "commitTime: must be an ISO-8601 time, e.g. 2026-11-20T08:00:00Z")]
    [InlineData("""{"id":"t1","service":"s","version":"v","metrics":{"name":"m"}}""", "metrics: must be an array")]
    public async Task Register_WrongJsonType_400SayingWhatIsExpected(string json, string detail)
    {
        using var response = await _http.PostAsync("/v1/deployments", Json(json));

        Assert.Equal(detail, (await ProblemAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Complete_DifferentlyAgain_409NamingStatus()
    {
        using var created = await _http.PostAsync("/v1/deployments", Json(RegisterJson("c409")));
        using var first = await _http.PostAsync("/v1/deployments/c409/complete", Json("""{"status":"ABORTED"}"""));
        using var second = await _http.PostAsync("/v1/deployments/c409/complete", Json("""{"status":"PROMOTED"}"""));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("status", (await ProblemAsync(second)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Problem_HumanText_WrittenUnescaped()
    {
        using var response = await _http.PostAsync("/v1/deployments", Json("""{"id":"x 1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO"}]}"""));

        var raw = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("got 'x 1'", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[],"bogus":1}""", "bogus")]
    [InlineData("""{"id":"x1","version":"v","metrics":[{"name":"m","kind":"RATIO"}]}""", "body")]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[{"name":"m","kind":"PERCENT"}]}""", "metrics[0].kind")]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[]}""", "metrics")]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO"}],"analysis":{"alpha":2}}""", "analysis.alpha")]
    [InlineData("""{"id":"x 1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO"}]}""", "id")]
    [InlineData("""not json""", "body")]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO","promotionMargin":0}]}""", "metrics[0].promotionMargin")]
    [InlineData("""{"id":"x1","service":"s","version":"v","metrics":[{"name":"m","kind":"RATIO"},{"name":"n","kind":"CONTINUOUS","promotionMargin":-0.5}]}""", "metrics[1].promotionMargin")]
    public async Task Register_BadInput_400NamingTheField(string json, string field)
    {
        using var response = await _http.PostAsync("/v1/deployments", Json(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await ProblemAsync(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Register_PromotionMargin_KeptAndShownAndPartOfTheSameInput()
    {
        const string Body = """{"id":"pm1","service":"s","version":"v","metrics":[{"name":"errors","kind":"RATIO","promotionMargin":0.5}]}""";
        using var created = await _http.PostAsync("/v1/deployments", Json(Body));
        using var same = await _http.PostAsync("/v1/deployments", Json(Body));
        using var other = await _http.PostAsync("/v1/deployments", Json(Body.Replace("0.5", "0.25", StringComparison.Ordinal)));
        using var read = await _http.GetAsync("/v1/deployments/pm1");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict), (created.StatusCode, same.StatusCode, other.StatusCode));
        Assert.Equal("metrics", (await ProblemAsync(other)).GetProperty("field").GetString());
        var metric = JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("metrics")[0];
        Assert.Equal((0.5, JsonValueKind.Null), (metric.GetProperty("promotionMargin").GetDouble(), metric.GetProperty("allowedChange").ValueKind));
    }

    [Fact]
    public async Task Register_NotJsonContentType_415()
    {
        using var response = await _http.PostAsync("/v1/deployments", new StringContent(RegisterJson("ct"), Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Content-Type", (await ProblemAsync(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Get_Unknown_404()
    {
        using var response = await _http.GetAsync("/v1/deployments/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await ProblemAsync(response);
    }

    [Fact]
    public async Task Samples_GoodLines_AcceptedAndSummarized()
    {
        var id = await RegisterAsync("s1");

        using var response = await _http.PostAsync("/v1/samples", Ndjson(
            $$"""{"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":1,"total":100,"batchId":"a"}""",
            "",
            $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"latency","values":[1,2,3.5],"batchId":"b"}""",
            $$"""{"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":1,"total":100,"batchId":"a"}"""));
        var deployment = await _http.GetFromJsonAsync<Deployment>($"/v1/deployments/{id}", ContractJson.Options);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"accepted":2,"duplicates":1,"values":4}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(
        [
            new CohortSummary("errors", Cohort.Baseline, 1, 1, 100, null),
            new CohortSummary("latency", Cohort.Canary, 3, null, null, 6.5 / 3),
        ], deployment!.Summaries);
    }

    [Theory]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"errors","count":11,"total":10}""", "count")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"errors","count":-1,"total":10}""", "count")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"errors","total":10}""", "count")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"nope","count":1,"total":10}""", "metric")]
    [InlineData("""{"deploymentId":"unknown-deployment","cohort":"CANARY","metric":"errors","count":1,"total":10}""", "deploymentId")]
    [InlineData("""{"deploymentId":"ID","cohort":"SIDEWAYS","metric":"errors","count":1,"total":10}""", "cohort")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"latency","values":[1,NaN]}""", "values[1]")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"latency","values":[1,1e999]}""", "values[1]")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"latency","values":[]}""", "values")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"latency","values":[1],"at":"2099-01-01T00:00:00Z"}""", "at")]
    [InlineData("""{"deploymentId":"ID","cohort":"CANARY","metric":"latency","values":[1]""", "line")]
    public async Task Samples_OneBadLine_400NamesLineAndNothingKept(string badLine, string field)
    {
        var id = await RegisterAsync($"bad-{Guid.NewGuid():N}");
        var good = $$"""{"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":1,"total":100}""";

        using var response = await _http.PostAsync("/v1/samples", Ndjson(good, good, badLine.Replace("\"ID\"", $"\"{id}\"", StringComparison.Ordinal)));
        var problem = await ProblemAsync(response);
        var deployment = await _http.GetFromJsonAsync<Deployment>($"/v1/deployments/{id}", ContractJson.Options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.StartsWith(field, problem.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Empty(deployment!.Summaries);
    }

    [Fact]
    public async Task Samples_TooManyValuesInABatch_400()
    {
        var id = await RegisterAsync("big-batch");
        var values = string.Join(',', Enumerable.Repeat("1", 100_001));

        using var response = await _http.PostAsync("/v1/samples",
            Ndjson($$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"latency","values":[{{values}}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("values", (await ProblemAsync(response)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Samples_OversizedBody_413()
    {
        var line = $$"""{"deploymentId":"x","cohort":"CANARY","metric":"latency","values":[{{string.Join(',', Enumerable.Repeat("1", 50_000))}}]}""";
        var lines = Enumerable.Repeat(line, (int)(65L * 1024 * 1024 / line.Length) + 1).ToArray();

        using var response = await _http.PostAsync("/v1/samples", Ndjson(lines));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Samples_WrongContentType_415()
    {
        using var response = await _http.PostAsync("/v1/samples", Json("{}"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Complete_Promoted_StatusAndFinishedAt()
    {
        var id = await RegisterAsync("done-1");

        using var response = await _http.PostAsync($"/v1/deployments/{id}/complete", Json("""{"status":"PROMOTED"}"""));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PROMOTED", body.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("finishedAt").ValueKind);
        Assert.Equal("PROMOTED", body.GetProperty("override").GetProperty("completedAs").GetString());
        Assert.Equal("PENDING", body.GetProperty("override").GetProperty("decision").GetString());
        Assert.Equal(body.GetProperty("verdict").GetProperty("reason").GetString(), body.GetProperty("override").GetProperty("reason").GetString());
        Assert.Equal(body.GetProperty("finishedAt").GetDateTimeOffset(), body.GetProperty("override").GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Complete_AbortedWhilePending_NoOverride()
    {
        var id = await RegisterAsync("done-2");

        using var response = await _http.PostAsync($"/v1/deployments/{id}/complete", Json("""{"status":"ABORTED"}"""));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(JsonValueKind.Null, body.GetProperty("override").ValueKind);
    }

    [Fact]
    public async Task Samples_ForACompletedDeployment_409OnDeploymentIdNamingTheLineAndNothingStored()
    {
        var open = await RegisterAsync("done-open");
        var done = await RegisterAsync("done-3");
        using var completed = await _http.PostAsync($"/v1/deployments/{done}/complete", Json("""{"status":"ROLLED_BACK"}"""));

        using var response = await _http.PostAsync("/v1/samples", Ndjson(
            $$"""{"deploymentId":"{{open}}","cohort":"CANARY","metric":"latency","values":[1,2]}""",
            $$"""{"deploymentId":"{{done}}","cohort":"CANARY","metric":"latency","values":[1,2]}"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("deploymentId", problem.GetProperty("field").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.StartsWith($"line 2: deployment '{done}' was completed as ROLLED_BACK at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stored = JsonDocument.Parse(await _http.GetStringAsync($"/v1/deployments/{open}")).RootElement;
        Assert.Equal(0, stored.GetProperty("summaries").GetArrayLength());
    }

    [Fact]
    public async Task Probes_HealthReadyMetrics_Answer()
    {
        var id = await RegisterAsync("probe-1");
        await _http.PostAsync("/v1/samples", Ndjson($$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"latency","values":[1,2]}"""));

        Assert.Equal("ok\n", await _http.GetStringAsync("/healthz"));
        Assert.Equal("ready\n", await _http.GetStringAsync("/readyz"));
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE verification_ingest_values_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("verification_grains_active ", metrics, StringComparison.Ordinal);
    }
}
