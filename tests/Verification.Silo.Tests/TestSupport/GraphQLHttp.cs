using System.Net;
using System.Text;
using System.Text.Json;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>Posts a GraphQL request to /graphql and returns the response document (asserting HTTP 200).</summary>
internal static class GraphQLHttp
{
    public static async Task<JsonElement> PostGraphQLAsync(this HttpClient http, string query, object? variables = null)
    {
        var body = JsonSerializer.Serialize(new { query, variables });
        using var response = await http.PostAsync("/graphql", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
