using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Webhooks;

/// <summary><c>/v1/webhooks</c> subscriptions in process: validation, no secret answered, delete.</summary>
public sealed class WebhookEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Post_Valid_201WithIdAndNoSecretAndListedWithoutSecret()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/v1/webhooks", """
            {"url":"http://127.0.0.1:9/hook","events":["deployment.completed"],"services":["checkout"],"secret":"0123456789abcdef","format":"slack"}
            """);
        var (_, list) = await SendAsync(HttpMethod.Get, "/v1/webhooks");

        Assert.Equal(HttpStatusCode.Created, status);
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("wh_", id, StringComparison.Ordinal);
        Assert.Equal(["id", "url", "events", "services", "format", "createdAt"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("slack", body.GetProperty("format").GetString());
        var listed = list.EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
        Assert.DoesNotContain("0123456789abcdef", listed.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("""["deployment.completed"]""", listed.GetProperty("events").GetRawText());
    }

    [Theory]
    [InlineData("""{"url":"ftp://x/y","events":["verdict.changed"],"secret":"0123456789abcdef"}""", "url")]
    [InlineData("""{"url":"http://x/y","events":[],"secret":"0123456789abcdef"}""", "events")]
    [InlineData("""{"url":"http://x/y","events":["verdict.changed","slo.alerts"],"secret":"0123456789abcdef"}""", "events[1]")]
    [InlineData("""{"url":"http://x/y","events":["verdict.changed"],"secret":"short"}""", "secret")]
    [InlineData("""{"url":"http://x/y","events":["verdict.changed"],"secret":"0123456789abcdef","format":"xml"}""", "format")]
    public async Task Post_Invalid_400NamingTheField(string json, string field)
    {
        var (status, problem) = await SendAsync(HttpMethod.Post, "/v1/webhooks", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Delete_Existing_204ThenDeliveriesAndDelete404()
    {
        var (_, body) = await SendAsync(HttpMethod.Post, "/v1/webhooks", """
            {"url":"http://127.0.0.1:9/hook","events":["verdict.changed"],"secret":"0123456789abcdef"}
            """);
        var id = body.GetProperty("id").GetString();
        var (before, deliveries) = await SendAsync(HttpMethod.Get, $"/v1/webhooks/{id}/deliveries");

        var (deleted, _) = await SendAsync(HttpMethod.Delete, $"/v1/webhooks/{id}", "");
        var (again, _) = await SendAsync(HttpMethod.Delete, $"/v1/webhooks/{id}", "");
        var (after, _) = await SendAsync(HttpMethod.Get, $"/v1/webhooks/{id}/deliveries");

        Assert.Equal((HttpStatusCode.OK, "[]"), (before, deliveries.GetRawText()));
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.NotFound), (deleted, again, after));
    }
}
