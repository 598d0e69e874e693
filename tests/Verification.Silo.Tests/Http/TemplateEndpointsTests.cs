using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary><c>/v1/templates</c> and registrations naming a template, over HTTP against the real silo.</summary>
public sealed class TemplateEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Web = """
        {"metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true,"allowedChange":0.5},
                    {"name":"latency","kind":"CONTINUOUS","direction":"INCREASE","allowedChange":0.2}],
         "analysis":{"minDurationSeconds":60}}
        """;

    private readonly HttpClient _http = factory.CreateClient();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Put_NewThenAgain_201Then200WithDefaultsApplied()
    {
        var (created, body) = await SendAsync(HttpMethod.Put, "/v1/templates/tp-web", Web);
        var (replaced, _) = await SendAsync(HttpMethod.Put, "/v1/templates/tp-web", Web);
        var (read, again) = await SendAsync(HttpMethod.Get, "/v1/templates/tp-web");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK), (created, replaced, read));
        Assert.Equal("tp-web", body.GetProperty("name").GetString());
        Assert.Equal("""{"method":"SEQUENTIAL","alpha":0.01,"minDurationSeconds":60,"maxDurationSeconds":null}""",
            body.GetProperty("analysis").GetRawText());
        Assert.Equal(body.GetProperty("metrics").GetRawText(), again.GetProperty("metrics").GetRawText());
        Assert.Equal("""{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true,"allowedChange":0.5,"source":null,"promotionMargin":null}""",
            body.GetProperty("metrics")[0].GetRawText());
    }

    [Theory]
    [InlineData("""{"metrics":[]}""", "metrics")]
    [InlineData("""{"metrics":[{"name":"e","kind":"RATIO","allowedChange":-1}]}""", "metrics[0].allowedChange")]
    [InlineData("""{"metrics":[{"name":"e","kind":"RATIO"}],"analysis":{"alpha":0.7}}""", "analysis.alpha")]
    [InlineData("""{"metrics":[{"name":"e","kind":"RATIO","source":{"countMetric":"x"}}]}""", "metrics[0].source.totalMetric")]
    public async Task Put_Invalid_400NamingTheFieldAsForARegistration(string json, string field)
    {
        var (status, problem) = await SendAsync(HttpMethod.Put, "/v1/templates/tp-bad", json);
        var (missing, _) = await SendAsync(HttpMethod.Get, "/v1/templates/tp-bad");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task Delete_Existing_204ThenGone404AndNotListed()
    {
        await SendAsync(HttpMethod.Put, "/v1/templates/tp-gone", Web);
        await SendAsync(HttpMethod.Put, "/v1/templates/tp-kept", Web);

        var (deleted, _) = await SendAsync(HttpMethod.Delete, "/v1/templates/tp-gone", "");
        var (again, problem) = await SendAsync(HttpMethod.Delete, "/v1/templates/tp-gone", "");
        var (get, _) = await SendAsync(HttpMethod.Get, "/v1/templates/tp-gone");
        var (listed, list) = await SendAsync(HttpMethod.Get, "/v1/templates");

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (deleted, again, get));
        Assert.Equal("Template 'tp-gone' does not exist.", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, listed);
        var names = list.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Contains("tp-kept", names);
        Assert.DoesNotContain("tp-gone", names);
    }

    [Fact]
    public async Task Put_BadName_400NamingName()
    {
        var (status, problem) = await SendAsync(HttpMethod.Put, "/v1/templates/a%20b", Web);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("name", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task RegisterDeployment_TemplateOnly_MetricsAndAnalysisFromTemplateAndNamed()
    {
        await SendAsync(HttpMethod.Put, "/v1/templates/tp-reg", Web);

        var (status, deployment) = await SendAsync(HttpMethod.Post, "/v1/deployments",
            """{"id":"tp-d1","service":"checkout","version":"v2","template":"tp-reg"}""");
        var (repeat, _) = await SendAsync(HttpMethod.Post, "/v1/deployments",
            """{"id":"tp-d1","service":"checkout","version":"v2","template":"tp-reg"}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (status, repeat));
        Assert.Equal(["errors", "latency"], deployment.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(60, deployment.GetProperty("analysis").GetProperty("minDurationSeconds").GetInt32());
    }

    [Fact]
    public async Task RegisterDeployment_UnknownTemplate_400NamingTemplate()
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/deployments",
            """{"id":"tp-d2","service":"checkout","version":"v2","template":"tp-none"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("template", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task FlaggerHook_FirstHookWithTemplate_RegistersOnceFromTemplate()
    {
        await SendAsync(HttpMethod.Put, "/v1/templates/tp-flagger", Web);
        const string hook = """
            {"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"6b8c9d","type":"%TYPE%",
             "metadata":{"template":"tp-flagger","version":"6.0.1"}}
            """;

        var (confirm, body) = await SendAsync(HttpMethod.Post, "/v1/integrations/flagger", hook.Replace("%TYPE%", "confirm-rollout"));
        var (promotion, _) = await SendAsync(HttpMethod.Post, "/v1/integrations/flagger", hook.Replace("%TYPE%", "confirm-promotion"));
        var (read, deployment) = await SendAsync(HttpMethod.Get, "/v1/deployments/podinfo.test.6b8c9d");

        Assert.Equal(HttpStatusCode.OK, confirm);
        Assert.Equal("PENDING", body.GetProperty("decision").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, promotion);
        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Equal(("podinfo", "6.0.1"), (deployment.GetProperty("service").GetString(), deployment.GetProperty("version").GetString()));
        Assert.Equal(["errors", "latency"], deployment.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task FlaggerHook_UnknownTemplate_400NamingMetadataTemplate()
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/integrations/flagger", """
            {"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"0aa1","type":"confirm-rollout","metadata":{"template":"tp-missing"}}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("metadata.template", problem.GetProperty("field").GetString());
    }
}
