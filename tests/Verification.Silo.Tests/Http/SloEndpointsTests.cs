using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

public sealed class SloEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    private static StringContent Ndjson(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    private async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task ApplyAsync(string service)
    {
        using var response = await _http.PostAsync("/v1/slos", Yaml(ServiceGrainTests.Yaml(service)));
        await JsonAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task PostSlos_Valid_AnswersTheSlos()
    {
        using var response = await _http.PostAsync("/v1/slos", Yaml(ServiceGrainTests.Yaml("cart")));

        var slo = Assert.Single((await JsonAsync(response, HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(("cart", "availability", "30d rolling", "NONE", 1.0),
            (slo.GetProperty("service").GetString(), slo.GetProperty("name").GetString(), slo.GetProperty("window").GetString(),
                slo.GetProperty("alert").GetString(), slo.GetProperty("budgetRemaining").GetDouble()));
        Assert.Equal("5m", slo.GetProperty("burnRates")[0].GetProperty("window").GetString());
    }

    [Fact]
    public async Task PostSlos_BadTarget_400ListsFieldPaths()
    {
        using var response = await _http.PostAsync("/v1/slos", Yaml(ServiceGrainTests.Yaml("cart", target: "1.5")));

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("documents[0].spec.objectives[0].target", problem.GetProperty("field").GetString());
        Assert.Equal("documents[0].spec.objectives[0].target", problem.GetProperty("errors")[0].GetProperty("path").GetString());
    }

    [Fact]
    public async Task PostSloEvents_BadSecondLine_400NamesLineAndNothingStored()
    {
        await ApplyAsync("search");

        using var response = await _http.PostAsync("/v1/slo-events", Ndjson(
            """{"service":"search","slo":"availability","good":9,"total":10,"batchId":"a"}""",
            """{"service":"search","slo":"availability","good":11,"total":10,"batchId":"b"}"""));
        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        using var read = await _http.GetAsync("/v1/services/search");
        var service = await JsonAsync(read, HttpStatusCode.OK);

        Assert.Equal((2, "good"), (problem.GetProperty("line").GetInt32(), problem.GetProperty("field").GetString()));
        Assert.Equal(0, service.GetProperty("slos")[0].GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task PostSloEvents_ValidThenResent_AcceptedThenDuplicates()
    {
        await ApplyAsync("orders");
        string[] lines =
        [
            """{"service":"orders","slo":"availability","good":9,"total":10,"batchId":"a"}""",
            """{"service":"orders","slo":"availability","good":10,"total":10,"batchId":"b"}""",
        ];

        using var first = await _http.PostAsync("/v1/slo-events", Ndjson(lines));
        using var again = await _http.PostAsync("/v1/slo-events", Ndjson(lines));
        using var read = await _http.GetAsync("/v1/services/orders");

        Assert.Equal("""{"accepted":2,"duplicates":0}""", (await JsonAsync(first, HttpStatusCode.OK)).GetRawText());
        Assert.Equal("""{"accepted":0,"duplicates":2}""", (await JsonAsync(again, HttpStatusCode.OK)).GetRawText());
        var slo = (await JsonAsync(read, HttpStatusCode.OK)).GetProperty("slos")[0];
        Assert.Equal((19L, 20L), (slo.GetProperty("good").GetInt64(), slo.GetProperty("total").GetInt64()));
    }

    [Fact]
    public async Task PostSloEvents_ServiceWithoutSlos_400OnService()
    {
        using var response = await _http.PostAsync("/v1/slo-events", Ndjson("""{"service":"nothing-here","slo":"x","good":1,"total":1}"""));

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal((1, "service"), (problem.GetProperty("line").GetInt32(), problem.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task PutPolicy_ThenGetServices_PolicyListed()
    {
        await ApplyAsync("billing");

        using var put = await _http.PutAsync("/v1/services/billing/policy",
            new StringContent("""{"minBudgetRemaining":0.25,"blockOnPage":true,"blockOnTicket":true,"incidentWindowMinutes":30}""",
                Encoding.UTF8, "application/json"));
        using var list = await _http.GetAsync("/v1/services");

        await JsonAsync(put, HttpStatusCode.OK);
        var billing = (await JsonAsync(list, HttpStatusCode.OK)).EnumerateArray().Single(s => s.GetProperty("name").GetString() == "billing");
        Assert.Equal("""{"minBudgetRemaining":0.25,"blockOnPage":true,"blockOnTicket":true,"incidentWindowMinutes":30,"maxBurnRate":null}""",
            billing.GetProperty("policy").GetRawText());
        Assert.True(billing.GetProperty("gate").GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task PutPolicy_WindowTooLong_400OnField()
    {
        using var put = await _http.PutAsync("/v1/services/billing/policy",
            new StringContent("""{"incidentWindowMinutes":100000}""", Encoding.UTF8, "application/json"));

        Assert.Equal("incidentWindowMinutes", (await JsonAsync(put, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task GetService_Unknown_404()
    {
        using var response = await _http.GetAsync("/v1/services/unknown-service");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>One SLO minute holds at most SloBuckets.MaxEventsPerMinute events: more is a 400 naming total, never a 500.</summary>
public sealed class SloEventMinuteLimitTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task PostSloEvents_MinutePastItsLimit_400AndNothingCountedThenServiceStillServes()
    {
        using (var applied = await _http.PostAsync("/v1/slos", new StringContent(ServiceGrainTests.Yaml("bulk"), Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        }

        var at = DateTimeOffset.UtcNow.AddMinutes(-2).ToString("yyyy-MM-ddTHH:mm:00Z", System.Globalization.CultureInfo.InvariantCulture);
        string Lines(int count) => string.Join('\n', Enumerable.Range(0, count).Select(_ =>
            $$"""{"service":"bulk","slo":"availability","good":1000000000000,"total":1000000000000,"at":"{{at}}"}"""));

        using var tooMany = await _http.PostAsync("/v1/slo-events", new StringContent(Lines(11), Encoding.UTF8, "application/x-ndjson"));
        var refusal = await tooMany.Content.ReadAsStringAsync();
        using var ten = await _http.PostAsync("/v1/slo-events", new StringContent(Lines(10), Encoding.UTF8, "application/x-ndjson"));
        using var one = await _http.PostAsync("/v1/slo-events", new StringContent(Lines(1), Encoding.UTF8, "application/x-ndjson"));
        using var service = await _http.GetAsync("/v1/services/bulk");
        var slo = JsonDocument.Parse(await service.Content.ReadAsStringAsync()).RootElement.GetProperty("slos")[0];

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("total", JsonDocument.Parse(refusal).RootElement.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.OK, ten.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, one.StatusCode);
        Assert.Equal(1e13, slo.GetProperty("total").GetDouble());
    }
}
