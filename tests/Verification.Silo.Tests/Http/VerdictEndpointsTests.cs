using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary><c>GET /v1/deployments/{id}/verdict</c>: the flat verdict, its ETag, and the long poll.</summary>
public sealed class VerdictEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task RegisterAsync(string id)
    {
        using var response = await _http.PostAsync("/v1/deployments", new StringContent($$"""
            {"id":"{{id}}","service":"checkout","version":"v2","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>A clean baseline against a canary with 20 errors in 10,000 requests: ROLLBACK.</summary>
    private async Task RollBackAsync(string id)
    {
        using var response = await _http.PostAsync("/v1/samples", new StringContent($$"""
            {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":0,"total":10000}
            {"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":20,"total":10000}
            """, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<(HttpStatusCode Status, string? ETag, JsonElement Body)> GetAsync(string path, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        using var response = await _http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, response.Headers.ETag?.Tag, body);
    }

    [Fact]
    public async Task Get_Registered_FlatVerdictWithETag()
    {
        await RegisterAsync("vf-1");

        var (status, etag, body) = await GetAsync("/v1/deployments/vf-1/verdict");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Matches("^\"[0-9a-f]{24}\"$", etag);
        Assert.Equal("vf-1", body.GetProperty("deploymentId").GetString());
        Assert.Equal("PENDING", body.GetProperty("decision").GetString());
        Assert.False(body.GetProperty("final").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("decidedAt").ValueKind);
        Assert.Equal("errors", Assert.Single(body.GetProperty("metrics").EnumerateArray()).GetProperty("metric").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Get_Unknown_404EvenWhenWaiting()
    {
        var (status, _, body) = await GetAsync("/v1/deployments/nobody/verdict");
        var (waited, _, _) = await GetAsync("/v1/deployments/nobody/verdict?wait=30");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, waited);
        Assert.Contains("nobody", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wait=0", "wait")]
    [InlineData("wait=61", "wait")]
    [InlineData("wait=abc", "wait")]
    [InlineData("wait=-5", "wait")]
    [InlineData("wait=5&decision=MAYBE", "decision")]
    public async Task Get_BadParameter_400NamingIt(string query, string field)
    {
        var id = "vf-bad-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(query));
        await RegisterAsync(id);

        var (status, _, body) = await GetAsync($"/v1/deployments/{id}/verdict?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Get_WaitWithCurrentETag_AnsweredByTheChange()
    {
        await RegisterAsync("vf-wake");
        var (_, etag, _) = await GetAsync("/v1/deployments/vf-wake/verdict");
        var clock = Stopwatch.StartNew();

        var waiting = GetAsync("/v1/deployments/vf-wake/verdict?wait=60", etag);
        await RollBackAsync("vf-wake");
        var (status, changed, body) = await waiting;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(etag, changed);
        Assert.Equal("ROLLBACK", body.GetProperty("decision").GetString());
        Assert.True(body.GetProperty("final").GetBoolean());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}, not by the change");
    }

    [Fact]
    public async Task Get_WaitEndsUnchanged_200WithTheSameVerdict()
    {
        await RegisterAsync("vf-timeout");
        var (_, etag, before) = await GetAsync("/v1/deployments/vf-timeout/verdict");
        var clock = Stopwatch.StartNew();

        var (status, after, body) = await GetAsync("/v1/deployments/vf-timeout/verdict?wait=1", etag);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(etag, after);
        Assert.Equal(before.GetRawText(), body.GetRawText());
        // The wait's timer runs on a millisecond tick; measured by the finer Stopwatch it can end a fraction of one early
        // (seen: 0.99993 s). The tolerance is one tick budget, far below the wait itself.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(20), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task Get_WaitWithOtherETag_AnswersAtOnce()
    {
        await RegisterAsync("vf-other");

        var (status, etag, _) = await GetAsync("/v1/deployments/vf-other/verdict?wait=60", "\"stale\", W/\"older\"");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(etag);
    }

    [Fact]
    public async Task Get_WaitForDecisionOtherThanPending_AnsweredByRollback()
    {
        await RegisterAsync("vf-decision");
        var (_, _, already) = await GetAsync("/v1/deployments/vf-decision/verdict?wait=60&decision=PROMOTE");

        var waiting = GetAsync("/v1/deployments/vf-decision/verdict?wait=60&decision=PENDING");
        await RollBackAsync("vf-decision");
        var (_, _, body) = await waiting;

        Assert.Equal("PENDING", already.GetProperty("decision").GetString());
        Assert.Equal("ROLLBACK", body.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Get_ManyWaiters_AllAnsweredByOneChange()
    {
        await RegisterAsync("vf-many");
        var (_, etag, _) = await GetAsync("/v1/deployments/vf-many/verdict");

        var waiting = Enumerable.Range(0, 50).Select(_ => GetAsync("/v1/deployments/vf-many/verdict?wait=60", etag)).ToList();
        await RollBackAsync("vf-many");
        var answers = await Task.WhenAll(waiting);

        Assert.All(answers, a => Assert.Equal("ROLLBACK", a.Body.GetProperty("decision").GetString()));
        Assert.Single(answers.Select(a => a.ETag).Distinct());
    }

    [Fact]
    public async Task Get_WaitWhilePendingThenCompleted_AnsweredByTheCompletionAsFinal()
    {
        await RegisterAsync("vf-complete-wake");
        var (_, etag, _) = await GetAsync("/v1/deployments/vf-complete-wake/verdict");
        var clock = Stopwatch.StartNew();

        var waiting = GetAsync("/v1/deployments/vf-complete-wake/verdict?wait=60", etag);
        using var complete = await _http.PostAsync("/v1/deployments/vf-complete-wake/complete",
            new StringContent("""{"status":"PROMOTED"}""", Encoding.UTF8, "application/json"));
        var (status, changed, body) = await waiting;

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(etag, changed);
        Assert.Equal("PENDING", body.GetProperty("decision").GetString());
        Assert.True(body.GetProperty("final").GetBoolean());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}, not by the completion");
    }

    [Fact]
    public async Task Get_CompletedWhilePending_Final()
    {
        await RegisterAsync("vf-aborted");
        using var complete = await _http.PostAsync("/v1/deployments/vf-aborted/complete",
            new StringContent("""{"status":"ABORTED"}""", Encoding.UTF8, "application/json"));

        var (_, _, body) = await GetAsync("/v1/deployments/vf-aborted/verdict");

        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal("PENDING", body.GetProperty("decision").GetString());
        Assert.True(body.GetProperty("final").GetBoolean());
    }
}
