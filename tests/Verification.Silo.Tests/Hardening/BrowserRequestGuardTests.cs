using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Hardening;

/// <summary>No web page can make a visitor's browser change anything (issue 11, "Safe by default").</summary>
public sealed class BrowserRequestGuardTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Register = """{"id":"csrf-1","service":"checkout","version":"v2","metrics":[{"name":"m","kind":"RATIO"}]}""";

    private readonly HttpClient _http = factory.CreateClient();

    public static TheoryData<string, string?> BrowserSimpleContentTypes => new()
    {
        { "/v1/deployments", "text/plain" },
        { "/v1/deployments", "application/x-www-form-urlencoded" },
        { "/v1/deployments", "multipart/form-data" },
        { "/v1/deployments", null },
        { "/graphql", "text/plain" },
        { "/v1/samples", "text/plain" },
        { "/v1/slos", "text/plain" },
        { "/otlp/v1/metrics", "text/plain" },
        { "/prometheus/api/v1/write", "application/x-www-form-urlencoded" },
        { "/v1/incidents/i-1/resolve", null },
    };

    [Theory]
    [MemberData(nameof(BrowserSimpleContentTypes))]
    public async Task Post_ContentTypeABrowserSendsCrossSite_415NamingContentType(string path, string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Register));
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        using var response = await _http.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Content-Type", problem.GetProperty("field").GetString());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Post_TextPlainWithBearerToken_PassesTheGuardToTheEndpoint()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/deployments")
        {
            Content = new StringContent(Register, Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "any");

        using var response = await _http.SendAsync(request);

        // The endpoint's own check answers: JSON only.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Options_CorsNotConfigured_NoCorsHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/deployments");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await _http.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Options_CorsConfigured_AllowsOnlyThatOrigin()
    {
        await using var configured = factory.WithWebHostBuilder(b => b.UseSetting("Cors:AllowedOrigins:0", "https://dash.example"));
        using var http = configured.CreateClient();

        var allowed = await PreflightAsync(http, "https://dash.example");
        var refused = await PreflightAsync(http, "https://evil.example");

        Assert.Equal("https://dash.example", allowed);
        Assert.Null(refused);
    }

    private static async Task<string?> PreflightAsync(HttpClient http, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/deployments");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        using var response = await http.SendAsync(request);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    [Fact]
    public async Task WebSocket_ForeignOrigin_Refused()
    {
        var client = factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        client.ConfigureRequest = request => request.Headers.Origin = "https://evil.example";

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(
            () => client.ConnectAsync(new Uri(factory.Server.BaseAddress, "graphql"), CancellationToken.None));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_SameOriginOrNone_Accepted()
    {
        var sameOrigin = factory.Server.CreateWebSocketClient();
        sameOrigin.SubProtocols.Add("graphql-transport-ws");
        sameOrigin.ConfigureRequest = request => request.Headers.Origin = "http://localhost";
        var none = factory.Server.CreateWebSocketClient();
        none.SubProtocols.Add("graphql-transport-ws");

        using var first = await sameOrigin.ConnectAsync(new Uri(factory.Server.BaseAddress, "graphql"), CancellationToken.None);
        using var second = await none.ConnectAsync(new Uri(factory.Server.BaseAddress, "graphql"), CancellationToken.None);

        Assert.Equal("graphql-transport-ws", first.SubProtocol);
        Assert.Equal("graphql-transport-ws", second.SubProtocol);
    }
}
