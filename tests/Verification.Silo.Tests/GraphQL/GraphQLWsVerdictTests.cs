using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>
/// The reference graphql-ws client (npm, Node's built-in WebSocket) against the real silo process on a loopback
/// port: it subscribes to verdictChanged, samples are posted over HTTP, and the client sees PENDING then ROLLBACK.
/// </summary>
public sealed class GraphQLWsVerdictTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-gqlws-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task VerdictChanged_GraphQLWsClient_ReceivesPendingThenRollback()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var silo = await SiloProcess.StartAsync(
            new Dictionary<string, string> { ["Storage:Provider"] = "sqlite", ["Storage:ConnectionString"] = $"Data Source={_directory}/ws.db" }, ct);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        await PostAsync(http, """
            mutation { registerDeployment(input: {id: "ws-node", service: "checkout", version: "v2",
              metrics: [{name: "errors", kind: RATIO, direction: INCREASE, critical: true}]}) { id } }
            """, ct);
        var url = new UriBuilder(silo.BaseAddress) { Scheme = "ws", Path = "/graphql" }.Uri.ToString();

        using var client = NodeScript.Start("--experimental-websocket", "verdict-subscriber.js", url, "ws-node");
        var stderr = client.StandardError.ReadToEndAsync(ct);
        var events = new List<JsonElement> { await NextEventAsync(client, stderr, ct) };
        await PostAsync(http, """
            mutation { recordSamples(input: {deploymentId: "ws-node", cohort: BASELINE, metric: "errors", count: 0, total: 10000}) { accepted } }
            """, ct);
        await PostAsync(http, """
            mutation { recordSamples(input: {deploymentId: "ws-node", cohort: CANARY, metric: "errors", count: 30, total: 10000}) { accepted } }
            """, ct);
        while (await client.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            events.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        await client.WaitForExitAsync(ct);
        Assert.True(client.ExitCode == 0, await stderr);
        var decisions = events.Select(e => e.GetProperty("data").GetProperty("verdictChanged").GetProperty("decision").GetString()).ToList();
        Assert.Equal("PENDING", decisions[0]);
        Assert.Equal("ROLLBACK", decisions[^1]);
        Assert.Equal(["PENDING", "ROLLBACK"], decisions.Distinct());
        Assert.Equal("""[{"metric":"errors","classification":"HIGH"}]""",
            events[^1].GetProperty("data").GetProperty("verdictChanged").GetProperty("metrics").GetRawText());
    }

    /// <summary>The first event: the current verdict, pushed as soon as the subscription starts.</summary>
    private static async Task<JsonElement> NextEventAsync(System.Diagnostics.Process client, Task<string> stderr, CancellationToken ct)
    {
        var line = await client.StandardOutput.ReadLineAsync(ct);
        return line is null
            ? throw new InvalidOperationException($"verdict-subscriber.js ended without an event: {await stderr}")
            : JsonDocument.Parse(line).RootElement.Clone();
    }

    private static async Task PostAsync(HttpClient http, string query, CancellationToken ct)
    {
        using var response = await http.PostAsync(
            "graphql", new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(JsonDocument.Parse(body).RootElement.TryGetProperty("errors", out _), body);
    }
}
