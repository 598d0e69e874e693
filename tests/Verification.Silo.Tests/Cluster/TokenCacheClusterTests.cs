using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.Storage;
using Verification.Silo.Tests.TestSupport;
using Xunit.Abstractions;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// Each silo keeps its own short-lived memory of token look-ups (<c>Auth:CacheSeconds</c>): a token change through one
/// silo holds there at once, and on the other within the cache's lifetime. Two real silo processes on one fresh
/// PostgreSQL database. Skipped when VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class TokenCacheClusterTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private const int CacheSeconds = 2;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(CacheSeconds + 3);

    [StorageFact]
    public async Task Revoke_ThroughA_RefusedOnAAtOnceAndOnBWithinTheCacheLifetime()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = timeout.Token;
        const string bootstrap = "bootstrap-0123456789abcdef0123456789abcdef";
        var (a, b) = await StartTwoSilosAsync(new() { ["Auth:BootstrapToken"] = bootstrap }, ct);
        await using var _ = a;
        await using var __ = b;
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress };
        var (id, token) = await CreateTokenAsync(httpA, bootstrap, ct);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(httpA, token, ct));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(httpB, token, ct)); // now remembered on B

        using (var revoke = new HttpRequestMessage(HttpMethod.Delete, $"v1/tokens/{id}"))
        {
            revoke.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bootstrap);
            using var revoked = await httpA.SendAsync(revoke, ct);
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        var sinceRevoke = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(httpA, token, ct));
        var onB = await UntilAsync(() => StatusAsync(httpB, token, ct), HttpStatusCode.Unauthorized, ct);
        output.WriteLine($"B refused the revoked token {onB.TotalMilliseconds:F0} ms after the revocation through A (cache {CacheSeconds} s)");
        Assert.True(sinceRevoke.Elapsed < Bound, $"{sinceRevoke.Elapsed}");
    }

    [StorageFact]
    public async Task FirstToken_CreatedThroughA_OpenModeEndsOnBWithinTheCacheLifetime()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var ct = timeout.Token;
        var (a, b) = await StartTwoSilosAsync([], ct);
        await using var _ = a;
        await using var __ = b;
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(httpB, null, ct)); // open: loopback and no token; remembered on B

        await CreateTokenAsync(httpA, null, ct);

        var sinceCreate = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(httpA, null, ct));
        var onB = await UntilAsync(() => StatusAsync(httpB, null, ct), HttpStatusCode.Unauthorized, ct);
        output.WriteLine($"B required tokens {onB.TotalMilliseconds:F0} ms after the first token was created through A (cache {CacheSeconds} s)");
        Assert.True(sinceCreate.Elapsed < Bound, $"{sinceCreate.Elapsed}");
    }

    private static async Task<(string Id, string Token)> CreateTokenAsync(HttpClient http, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/tokens")
        {
            Content = new StringContent("""{"name":"reader","scopes":["read"]}""", Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        using var document = JsonDocument.Parse(body);
        return (document.RootElement.GetProperty("id").GetString()!, document.RootElement.GetProperty("token").GetString()!);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/services");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }

    /// <summary>Polls until <paramref name="status"/> is answered (every 50 ms, up to <see cref="Bound"/>); how long it took.</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<HttpStatusCode>> ask, HttpStatusCode status, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ask();
            if (answer == status)
            {
                return waited.Elapsed;
            }

            Assert.True(answer == HttpStatusCode.OK, $"unexpected {(int)answer}");
            Assert.True(waited.Elapsed < Bound, $"still {(int)answer} after {waited.Elapsed}");
            await Task.Delay(50, ct);
        }
    }

    private async Task<(SiloProcess A, SiloProcess B)> StartTwoSilosAsync(Dictionary<string, string> extra, CancellationToken ct)
    {
        var settings = TwoSiloClusterTests.Settings(await database.CreateEmptyDatabaseAsync());
        settings["Auth:CacheSeconds"] = CacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var a = await SiloProcess.StartAsync(settings, ct);
        try
        {
            return (a, await SiloProcess.StartAsync(settings, ct));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }
}
