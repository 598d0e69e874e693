using System.Net;
using System.Net.Http.Headers;

namespace Verification.Silo.Tests.Ui;

/// <summary>How the silo serves the UI over HTTP: content negotiation on UI routes and /graphql, embedded assets.</summary>
[Collection(UiCollection.Name)]
public sealed class UiEndpointsTests(UiFixture fixture)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/deployments")]
    [InlineData("/deployments/checkout-42")]
    [InlineData("/slos")]
    [InlineData("/slos/checkout")]
    [InlineData("/delivery")]
    public async Task UiRoute_BrowserAccept_AnswersTheApp(string path)
    {
        using var sut = await GetAsync(path, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        Assert.Equal(HttpStatusCode.OK, sut.StatusCode);
        Assert.Equal("text/html", sut.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/ui/app.js\"></script>", await sut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UiRoute_JsonOnly_Answers406()
    {
        using var sut = await GetAsync("/", "application/json");

        Assert.Equal(HttpStatusCode.NotAcceptable, sut.StatusCode);
    }

    [Fact]
    public async Task GraphQL_BrowserAccept_AnswersTheQueryPage()
    {
        using var sut = await GetAsync("/graphql", "text/html,application/xhtml+xml,*/*;q=0.8");

        Assert.Equal(HttpStatusCode.OK, sut.StatusCode);
        Assert.Contains("<script type=\"module\" src=\"/ui/query.js\"></script>", await sut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphQL_GetWithQuery_StillAnswersJson()
    {
        using var sut = await GetAsync("/graphql?query=%7B__typename%7D", "*/*");

        Assert.Equal(HttpStatusCode.OK, sut.StatusCode);
        Assert.Equal("""{"data":{"__typename":"Query"}}""", await sut.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Asset_SecondRequestWithETag_Answers304()
    {
        using var first = await GetAsync("/ui/app.js", "*/*");
        var etag = first.Headers.ETag ?? throw new InvalidOperationException("no ETag");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        request.Headers.IfNoneMatch.Add(etag);

        using var sut = await fixture.Http.SendAsync(request);

        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotModified, sut.StatusCode);
    }

    [Fact]
    public async Task Asset_Unknown_Answers404Problem()
    {
        using var sut = await GetAsync("/ui/nope.js", "*/*");

        Assert.Equal(HttpStatusCode.NotFound, sut.StatusCode);
        Assert.Equal("application/problem+json", sut.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        return await fixture.Http.SendAsync(request);
    }
}
