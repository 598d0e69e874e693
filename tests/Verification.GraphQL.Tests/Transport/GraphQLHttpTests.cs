using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Verification.GraphQL.Transport;

namespace Verification.GraphQL.Tests.Transport;

public sealed class GraphQLHttpTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        _app = builder.Build();
        _app.UseWebSockets();
        _app.MapGraphQL("/graphql", TestSchema.Schema, o => o.MaxRequestBytes = 2048);
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, string? MediaType, string Body, HttpResponseMessage Response)> PostAsync(
        string body, string? accept = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var response = await _client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task Post_ValidQuery_Returns200WithData()
    {
        var (status, mediaType, body, _) = await PostAsync("""{"query":"query($n: String) { hello(name: $n) }","variables":{"n":"HTTP"}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", mediaType);
        Assert.Equal("""{"data":{"hello":"Hello, HTTP!"}}""", body);
    }

    [Fact]
    public async Task Post_ValidationErrorWithGraphQLResponseJson_Returns400WithoutData()
    {
        var (status, mediaType, body, _) = await PostAsync("""{"query":"{ nope }"}""", "application/graphql-response+json");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/graphql-response+json", mediaType);
        Assert.Equal(
            """{"errors":[{"message":"Cannot query field \"nope\" on type \"Query\". Did you mean \"node\"?","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}""",
            body);
    }

    [Fact]
    public async Task Post_SyntaxErrorWithApplicationJson_Returns200WithoutData()
    {
        var (status, _, body, _) = await PostAsync("""{"query":"{ hello"}""", "application/json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            """{"errors":[{"message":"Syntax Error: Expected Name, found <EOF>.","locations":[{"line":1,"column":8}],"extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}""",
            body);
    }

    [Fact]
    public async Task Post_FieldErrorWithGraphQLResponseJson_Returns200WithData()
    {
        var (status, _, body, _) = await PostAsync("""{"query":"{ error }"}""", "application/graphql-response+json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("""{"data":{"error":null},"errors":[{"message":"Boom",""", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "The request body is not valid JSON.")]
    [InlineData("[1]", "The request body must be a JSON object.")]
    [InlineData("{}", "The request must contain a \\\"query\\\" string.")]
    [InlineData("""{"query":"{ hello }","variables":[1]}""", "\\\"variables\\\" must be a JSON object or null.")]
    public async Task Post_MalformedRequest_Returns400(string body, string message)
    {
        var (status, _, responseBody, _) = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("{\"errors\":[{\"message\":\"" + message + "\",\"extensions\":{\"code\":\"BAD_USER_INPUT\"}}]}", responseBody);
    }

    [Fact]
    public async Task Post_BodyOverLimit_Returns413()
    {
        var (status, _, _, _) = await PostAsync("{\"query\":\"{ hello }\",\"x\":\"" + new string('a', 3000) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
    }

    [Fact]
    public async Task Post_WrongContentType_Returns415()
    {
        var (status, _, _, _) = await PostAsync("{ hello }", contentType: "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
    }

    [Fact]
    public async Task Post_UnacceptableAccept_Returns406()
    {
        var (status, _, _, _) = await PostAsync("""{"query":"{ hello }"}""", "text/html");
        Assert.Equal(HttpStatusCode.NotAcceptable, status);
    }

    [Fact]
    public async Task Get_Query_Returns200()
    {
        var response = await _client.GetAsync("/graphql?query=" + Uri.EscapeDataString("query($a: Int!) { add(a: $a) }")
            + "&variables=" + Uri.EscapeDataString("""{"a":4}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"data":{"add":5}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_Mutation_Returns405WithAllowPost()
    {
        var response = await _client.GetAsync("/graphql?query=" + Uri.EscapeDataString("mutation { increment }"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Get_MissingQuery_Returns400()
    {
        var response = await _client.GetAsync("/graphql");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Post_ContextFactory_SuppliesServicesAndUserContext()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        var query = new Verification.GraphQL.Types.ObjectType("Query");
        query.Field("tenant", Verification.GraphQL.Types.ScalarType.String, ctx => ctx.UserContext["tenant"]);
        var schema = new Verification.GraphQL.Types.SchemaBuilder().Query(query).Build();
        app.MapGraphQL("/graphql", schema, o => o.ContextFactory = http => ValueTask.FromResult(
            new GraphQLRequestContext(http.RequestServices, new Dictionary<string, object?> { ["tenant"] = http.Request.Headers["X-Tenant"].ToString() })));
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("""{"query":"{ tenant }"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Tenant", "acme");
        var response = await client.SendAsync(request);
        Assert.Equal("""{"data":{"tenant":"acme"}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_Returns405()
    {
        var response = await _client.PutAsync("/graphql", new StringContent("{}", new MediaTypeHeaderValue("application/json")));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
