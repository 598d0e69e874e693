using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IronSnappy;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.GraphQL;
using Verification.GraphQL.Execution;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Hardening;

/// <summary>
/// Issue 11's table of inputs that hurt the service, one test per row, against the whole silo in process: each
/// answers a 4xx (or is accepted and counted exactly) and the service keeps serving.
/// </summary>
public sealed class HostileInputTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string GraphQLResponseJson = "application/graphql-response+json";

    private readonly HttpClient _http = CreateClient(factory);

    private static HttpClient CreateClient(SiloFactory factory)
    {
        var http = factory.CreateClient();
        // A row that hangs fails here instead of stalling the run.
        http.Timeout = TimeSpan.FromSeconds(30);
        return http;
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    private static StringContent Ndjson(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<JsonElement> GraphQLAsync(string query, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(GraphQLResponseJson));
        using var response = await _http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return await BodyAsync(response);
    }

    private async Task StillServingAsync()
    {
        using var response = await _http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task RegisterAsync(string id, MetricKind kind)
    {
        using var response = await _http.PostAsJsonAsync("/v1/deployments",
            new RegisterDeploymentInput(id, "checkout", "v2", [new MetricInput("m", kind)]), ContractJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<JsonElement> PostSamplesAsync(HttpStatusCode expected, params string[] lines)
    {
        using var response = await _http.PostAsync("/v1/samples", Ndjson(lines));
        Assert.Equal(expected, response.StatusCode);
        return await BodyAsync(response);
    }

    public static TheoryData<string, string> HostileYaml => new()
    {
        // python3 -c "print('['*40000+']'*40000)": the process died of a stack overflow.
        { new string('[', 40_000) + new string(']', 40_000), "nested deeper than 64 levels" },
        // 40 levels of doubled aliases used as a mapping key: one core at 100 % indefinitely.
        { AliasKeyBomb(40), "nodes with aliases expanded" },
    };

    private static string AliasKeyBomb(int levels)
    {
        var yaml = new StringBuilder("k0: &k0 [a,a]\n");
        for (var i = 1; i < levels; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"k{i}: &k{i} [*k{i - 1},*k{i - 1}]\n");
        }

        return yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"? *k{levels - 1}\n: v\n").ToString();
    }

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task ApplySlos_HostileYaml_400NamingTheLimit(string yaml, string reason)
    {
        using var response = await _http.PostAsync("/v1/slos", Yaml(yaml));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await BodyAsync(response);
        Assert.Equal("yaml", problem.GetProperty("field").GetString());
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await StillServingAsync();
    }

    [Theory]
    [MemberData(nameof(HostileYaml))]
    public async Task ApplySloMutation_HostileYaml_BadUserInput(string yaml, string reason)
    {
        var query = $"mutation {{ applySlo(yaml: {JsonSerializer.Serialize(yaml)}) {{ name }} }}";

        var body = await GraphQLAsync(query, HttpStatusCode.OK);

        var error = body.GetProperty("errors")[0];
        Assert.Equal("BAD_USER_INPUT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains(reason, error.GetProperty("extensions").GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await StillServingAsync();
    }

    [Fact]
    public async Task GraphQL_AliasedIntrospectionThroughFragments_400LimitExceeded()
    {
        var aliases = string.Join(" ", Enumerable.Range(0, 150).Select(i => $"s{i}: __schema {{ ...S }}"));
        var types = string.Join(" ", Enumerable.Range(0, 150).Select(i => $"t{i}: types {{ name fields {{ name type {{ name kind }} }} }}"));

        var body = await GraphQLAsync($"{{ {aliases} }} fragment S on __Schema {{ {types} }}", HttpStatusCode.BadRequest);

        Assert.Equal(ErrorCodes.LimitExceeded, body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.False(body.TryGetProperty("data", out _));
        await StillServingAsync();
    }

    [Fact]
    public async Task GraphQL_ThousandAliasesOfDeliveryTrend_400LimitExceeded()
    {
        var aliases = string.Join(" ", Enumerable.Range(0, 1_100).Select(i => $"w{i}: deliveryTrend(weeks: 104) {{ isoWeek }}"));

        var body = await GraphQLAsync($"{{ {aliases} }}", HttpStatusCode.BadRequest);

        Assert.Equal(ErrorCodes.LimitExceeded, body.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task GraphQL_FifteenThousandSameFieldInOneSelection_Answered()
    {
        await RegisterAsync("many-ids", MetricKind.Ratio);
        var ids = string.Join(" ", Enumerable.Repeat("id", 14_980));

        var body = await GraphQLAsync($"{{ deployment(id: \"many-ids\") {{ {ids} }} }}", HttpStatusCode.OK);

        Assert.Equal("""{"data":{"deployment":{"id":"many-ids"}}}""", body.GetRawText());
    }

    [Fact]
    public async Task RecordSamples_RatioTotalsPastTheCohortLimit_400NamingTotalAndReadsStillWork()
    {
        await RegisterAsync("ratio-sums", MetricKind.Ratio);
        const string Line = """{"deploymentId":"ratio-sums","cohort":"CANARY","metric":"m","count":0,"total":TOTAL,"batchId":"ID"}""";
        string Batch(long total, string id) => Line.Replace("TOTAL", total.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("ID", id, StringComparison.Ordinal);

        // The issue's row: 9223372036854775807 then 1 wrapped the stored sum to −9223372036854775808.
        var tooLarge = await PostSamplesAsync(HttpStatusCode.BadRequest, Batch(long.MaxValue, "max"));
        var half = await PostSamplesAsync(HttpStatusCode.OK, Batch(InputLimits.MaxCohortEvents / 2, "h1"), Batch(InputLimits.MaxCohortEvents / 2, "h2"));
        var oneMore = await PostSamplesAsync(HttpStatusCode.BadRequest, Batch(1, "one-more"));
        var retried = await PostSamplesAsync(HttpStatusCode.OK, Batch(InputLimits.MaxCohortEvents / 2, "h2"));

        Assert.Equal("total", tooLarge.GetProperty("field").GetString());
        Assert.Equal(2, half.GetProperty("accepted").GetInt32());
        Assert.Equal("total", oneMore.GetProperty("field").GetString());
        Assert.Equal(1, retried.GetProperty("duplicates").GetInt32());
        var deployment = await _http.GetFromJsonAsync<JsonElement>("/v1/deployments/ratio-sums");
        Assert.Equal(InputLimits.MaxCohortEvents, deployment.GetProperty("summaries")[0].GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task RecordSamples_ContinuousValuesWhoseSumWouldOverflow_400NamingTheValueAndReadsStillWork()
    {
        await RegisterAsync("huge-values", MetricKind.Continuous);

        var refused = await PostSamplesAsync(HttpStatusCode.BadRequest,
            """{"deploymentId":"huge-values","cohort":"CANARY","metric":"m","values":[1.5,1e308,1e308]}""");
        await PostSamplesAsync(HttpStatusCode.OK, """{"deploymentId":"huge-values","cohort":"CANARY","metric":"m","values":[1e100,1e100]}""");

        Assert.Equal("values[1]", refused.GetProperty("field").GetString());
        var deployment = await _http.GetFromJsonAsync<JsonElement>("/v1/deployments/huge-values");
        Assert.Equal(1e100, deployment.GetProperty("summaries")[0].GetProperty("mean").GetDouble());
    }

    public static TheoryData<string> LengthPrefixBodies => ["otlp", "remote-write"];

    [Theory]
    [MemberData(nameof(LengthPrefixBodies))]
    public async Task Push_LengthPrefixNear2To31_400(string receiver)
    {
        // printf '\x0a\xff\xff\xff\xff\x07abc': field 1, length 2^31 − 1, three bytes of it.
        byte[] body = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, (byte)'a', (byte)'b', (byte)'c'];
        var (path, content) = receiver == "otlp"
            ? ("/otlp/v1/metrics", new ByteArrayContent(body))
            : ("/prometheus/api/v1/write", new ByteArrayContent(Snappy.Encode(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (receiver != "otlp")
        {
            content.Headers.ContentEncoding.Add("snappy");
        }

        using var response = await _http.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await StillServingAsync();
    }

    [Fact]
    public async Task RecordSamples_TwoDeploymentsHalfStoredThenRetried_RetryCompletesWithoutCountingTwice()
    {
        await RegisterAsync("span-a", MetricKind.Ratio);
        await RegisterAsync("span-b", MetricKind.Ratio);
        const string A = """{"deploymentId":"span-a","cohort":"CANARY","metric":"m","count":1,"total":10,"batchId":"a-1"}""";
        const string B = """{"deploymentId":"span-b","cohort":"CANARY","metric":"m","count":2,"total":20,"batchId":"b-1"}""";

        // What a crash between the two deployments' commits leaves: the request is atomic per deployment, so A's half.
        await PostSamplesAsync(HttpStatusCode.OK, A);
        var retry = await PostSamplesAsync(HttpStatusCode.OK, A, B);

        Assert.Equal(1, retry.GetProperty("accepted").GetInt32());
        Assert.Equal(1, retry.GetProperty("duplicates").GetInt32());
        var a = await _http.GetFromJsonAsync<JsonElement>("/v1/deployments/span-a");
        var b = await _http.GetFromJsonAsync<JsonElement>("/v1/deployments/span-b");
        Assert.Equal(10, a.GetProperty("summaries")[0].GetProperty("total").GetInt64());
        Assert.Equal(20, b.GetProperty("summaries")[0].GetProperty("total").GetInt64());
    }
}
