using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Verification.Api.Access;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Access;

/// <summary>
/// The default (loopback, no token): open until the first token exists, then tokens are required, and open again once
/// every token is revoked. Tokens are shown once, listed without secrets, and every change is in the audit trail.
/// </summary>
public sealed class AccessModeTests : IAsyncLifetime
{
    private readonly SiloFactory _factory = new();
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _http = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Tokens_FirstTokenOnLoopback_ClosesTheDoorUntilAllAreRevoked()
    {
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/v1/services", null, null)).Status);

        var (created, body) = await SendAsync(HttpMethod.Post, "/v1/tokens", """{"name":"ci","scopes":["admin"]}""", null);
        using var createdJson = JsonDocument.Parse(body);
        var secret = createdJson.RootElement.GetProperty("token").GetString()!;
        var id = createdJson.RootElement.GetProperty("id").GetString()!;
        var (anonymous, problem) = await SendAsync(HttpMethod.Get, "/v1/services", null, null);
        var (withToken, _) = await SendAsync(HttpMethod.Get, "/v1/services", null, secret);
        var (_, listed) = await SendAsync(HttpMethod.Get, "/v1/tokens", null, secret);
        var (_, spareBody) = await SendAsync(HttpMethod.Post, "/v1/tokens", """{"name":"spare","scopes":["admin"]}""", secret);
        using var spareJson = JsonDocument.Parse(spareBody);
        var spare = spareJson.RootElement.GetProperty("token").GetString()!;
        var spareId = spareJson.RootElement.GetProperty("id").GetString()!;
        var (revoked, _) = await SendAsync(HttpMethod.Delete, $"/v1/tokens/{id}", null, spare);
        var (afterRevoke, _) = await SendAsync(HttpMethod.Get, "/v1/services", null, secret);
        await SendAsync(HttpMethod.Delete, $"/v1/tokens/{spareId}", null, spare);
        var (openAgain, _) = await SendAsync(HttpMethod.Get, "/v1/services", null, null);
        var (_, audit) = await SendAsync(HttpMethod.Get, "/v1/audit", null, null);

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.StartsWith(TokenSecrets.Prefix, secret, StringComparison.Ordinal);
        Assert.Equal(46, secret.Length); // "vt_" and 256 bits in base64url
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(AccessMiddleware.Unauthenticated, JsonDocument.Parse(problem).RootElement.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, withToken);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        using var list = JsonDocument.Parse(listed);
        var only = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal("ci", only.GetProperty("name").GetString());
        Assert.NotEqual(JsonValueKind.Null, only.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke);
        Assert.Equal(HttpStatusCode.OK, openAgain);
        Assert.Equal(
            $$"""[{"actor":"spare","action":"token.revoke","target":"{{spareId}}"},{"actor":"spare","action":"token.revoke","target":"{{id}}"},"""
            + $$"""{"actor":"ci","action":"token.create","target":"{{spareId}}"},{"actor":"anonymous","action":"token.create","target":"{{id}}"}]""",
            Actions(audit));
    }

    [Fact]
    public async Task Audit_ChangesByANamedToken_RecordedWithItsNameOverHttpAndGraphQL()
    {
        var (_, body) = await SendAsync(HttpMethod.Post, "/v1/tokens", """{"name":"deployer","scopes":["decide","read"]}""", null);
        var deployer = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
        var (_, adminBody) = await SendAsync(HttpMethod.Post, "/v1/tokens", """{"name":"root","scopes":["admin"]}""", deployer);
        Assert.Contains("scope 'admin'", adminBody, StringComparison.Ordinal);

        await SendAsync(HttpMethod.Post, "/v1/deployments",
            """{"id":"a-1","service":"web","version":"v2","metrics":[{"name":"errors","kind":"RATIO"}]}""", deployer);
        await SendAsync(HttpMethod.Post, "/v1/deployments/a-1/complete", """{"status":"PROMOTED"}""", deployer);
        await SendAsync(HttpMethod.Put, "/v1/services/web/policy", """{"minBudgetRemaining":0.5}""", deployer);
        var (forbidden, _) = await SendAsync(HttpMethod.Get, "/v1/audit", null, deployer);
        var (_, rootBody) = await SendAsync(HttpMethod.Post, "/v1/tokens", """{"name":"auditor","scopes":["admin"],"services":null}""", null);
        Assert.Contains("\"code\":\"UNAUTHENTICATED\"", rootBody, StringComparison.Ordinal);
        var (_, graphql) = await SendAsync(HttpMethod.Post, "/graphql",
            """{"query":"{ auditLog(first: 3) { actor action target service detail } }"}""", deployer);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden);
        Assert.Equal(
            """{"data":null,"errors":[{"message":"The token 'deployer' lacks the scope 'admin'.","locations":[{"line":1,"column":3}],"path":["auditLog"],"extensions":{"code":"FORBIDDEN"}}]}""",
            graphql);
    }

    [Fact]
    public async Task Audit_AnonymousChanges_ReadableOverGraphQLNewestFirst()
    {
        await SendAsync(HttpMethod.Post, "/v1/deployments",
            """{"id":"a-2","service":"web","version":"v2","metrics":[{"name":"errors","kind":"RATIO"}]}""", null);
        await SendAsync(HttpMethod.Post, "/v1/deployments/a-2/complete", """{"status":"ROLLED_BACK"}""", null);
        await SendAsync(HttpMethod.Put, "/v1/services/web/policy", """{"minBudgetRemaining":0.5}""", null);
        await SendAsync(HttpMethod.Post, "/v1/incidents", """{"service":"web","title":"down","deploymentId":"a-2"}""", null);

        var (_, graphql) = await SendAsync(HttpMethod.Post, "/graphql",
            """{"query":"{ auditLog(first: 3) { sequence actor action target service detail } }"}""", null);

        Assert.Equal(
            """{"data":{"auditLog":[{"sequence":4,"actor":"anonymous","action":"incident.open","target":"web-1","service":"web","detail":"down"},"""
            + """{"sequence":3,"actor":"anonymous","action":"policy.set","target":"web","service":"web","detail":null},"""
            + """{"sequence":2,"actor":"anonymous","action":"deployment.complete","target":"a-2","service":"web","detail":"RolledBack"}]}}""",
            graphql);
    }

    [Theory]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["write"]}""", "scopes[0]")]
    [InlineData("""{"name":"x","scopes":["read"],"services":["pay*-x"]}""", "services[0]")]
    [InlineData("""{"name":"x","scopes":["read"],"expiresAt":"2000-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task CreateToken_BadInput_400NamingTheField(string body, string field)
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/tokens", body, null);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, JsonDocument.Parse(problem).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Token_PastItsExpiry_Refused401()
    {
        // 10 s ahead: on a loaded machine the request creating the token can take seconds to arrive.
        var expires = DateTimeOffset.UtcNow.AddSeconds(10).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var (created, body) = await SendAsync(HttpMethod.Post, "/v1/tokens", $$"""{"name":"brief","scopes":["read"],"expiresAt":"{{expires}}"}""", null);
        Assert.True(created == HttpStatusCode.Created, body);
        var secret = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;

        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        HttpStatusCode status;
        do
        {
            // Polled every 50 ms: a tight loop would run into the token's own rate limit (429) before it expires.
            (status, _) = await SendAsync(HttpMethod.Get, "/v1/services", null, secret);
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(50);
            }
        }
        while (status == HttpStatusCode.OK && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? json, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Actions(string json) =>
        JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => new
        {
            actor = e.GetProperty("actor").GetString(),
            action = e.GetProperty("action").GetString(),
            target = e.GetProperty("target").GetString(),
        }));
}
