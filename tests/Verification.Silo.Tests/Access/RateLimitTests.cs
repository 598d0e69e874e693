using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Verification.Api.Access;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Access;

/// <summary>Per-token limits: past the rate or the concurrency, 429 with Retry-After and RATE_LIMITED, counted on /metrics.</summary>
public sealed class RateLimitTests
{
    private const string Bootstrap = "bootstrap-0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Requests_PastTheTokensBurst_429WithRetryAfterCountedOnMetrics()
    {
        await using var silo = new SiloFactory();
        await using var factory = silo.WithWebHostBuilder(b => b
            .UseSetting("Auth:BootstrapToken", Bootstrap)
            .UseSetting("Auth:RateLimit:PermitsPerSecond", "1")
            .UseSetting("Auth:RateLimit:Burst", "3"));
        using var http = factory.CreateClient();
        var token = await CreateTokenAsync(http);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await http.SendAsync(Get("/v1/services", token));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
                break;
            }

            response.Dispose();
        }

        var text = await http.GetStringAsync("/metrics");
        var rejected = text.Split('\n').Where(l => l.StartsWith("aspnetcore_rate_limiting_requests", StringComparison.Ordinal)
            && l.Contains("global_limiter", StringComparison.Ordinal)).ToList();

        Assert.NotNull(refused);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("1", refused!.Headers.RetryAfter?.ToString());
        Assert.Equal(RateLimits.RateLimited, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Single(rejected);
        Assert.EndsWith(" 1", rejected[0], StringComparison.Ordinal);
        refused.Dispose();
    }

    [Fact]
    public async Task Requests_PastTheTokensConcurrency_429WhileTheFirstIsInFlight()
    {
        await using var silo = new SiloFactory();
        await using var factory = silo.WithWebHostBuilder(b => b
            .UseSetting("Auth:BootstrapToken", Bootstrap)
            .UseSetting("Auth:RateLimit:ConcurrentRequests", "1"));
        using var http = factory.CreateClient();
        var token = await CreateTokenAsync(http);
        using (var registered = await http.SendAsync(Post("/v1/deployments",
            """{"id":"held","service":"web","version":"v2","metrics":[{"name":"errors","kind":"RATIO"}]}""", Bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        // A long poll holds its lease until the verdict changes or the wait ends.
        using var stop = new CancellationTokenSource();
        var held = http.SendAsync(Get("/v1/deployments/held/verdict?wait=30&decision=PENDING", token), stop.Token);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        HttpStatusCode status;
        do
        {
            using var second = await http.SendAsync(Get("/v1/services", token));
            status = second.StatusCode;
        }
        while (status != HttpStatusCode.TooManyRequests && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.False(held.IsCompleted);
        using var other = await http.SendAsync(Get("/v1/services", Bootstrap));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
    }

    private static async Task<string> CreateTokenAsync(HttpClient http)
    {
        using var created = await http.SendAsync(Post("/v1/tokens", """{"name":"reader","scopes":["read"]}""", Bootstrap));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    private static HttpRequestMessage Get(string path, string token) =>
        new(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    private static HttpRequestMessage Post(string path, string json, string token) =>
        new(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
}
