using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Verification.Api.Contracts;
using Verification.Silo.Tests.GraphQL;
using Verification.Silo.Tests.Storage;
using Verification.Silo.Tests.TestSupport;
using Xunit.Abstractions;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// Two real silo processes on one fresh PostgreSQL database form one Orleans cluster (ADO.NET clustering with our
/// membership SQL): both answer for the same deployment, whose single activation counts what either one received.
/// Skipped when VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class TwoSiloClusterTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private const int ValuesPerBatch = 10;

    [StorageFact]
    public async Task TwoSilos_RegisterViaAIngestThroughBoth_SameDeploymentOnBoth()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await using var a = await SiloProcess.StartAsync(Settings(connectionString), ct);
        await using var b = await SiloProcess.StartAsync(Settings(connectionString), ct);
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress };
        Assert.Equal(2, await ActiveMembersAsync(connectionString, ct));

        var register = await httpA.PostAsJsonAsync("v1/deployments",
            new RegisterDeploymentInput("two-1", "checkout", "v2", [new MetricInput("latency", MetricKind.Continuous)]), ContractJson.Options, ct);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);

        // Twenty batches, alternately through A and B; the second round re-sends them all through the other silo.
        for (var round = 0; round < 2; round++)
        {
            for (var batch = 0; batch < 20; batch++)
            {
                var http = (batch + round) % 2 == 0 ? httpA : httpB;
                using var response = await http.PostAsync("v1/samples", Body(batch), ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var fromA = await GetAsync(httpA, ct);
        var fromB = await GetAsync(httpB, ct);
        Assert.Equal(20L * ValuesPerBatch, fromA.Summaries.Single().Observations);
        Assert.Equal(9.5, fromA.Summaries.Single().Mean!.Value, 9);
        Assert.Equal(fromA.Summaries, fromB.Summaries);
        Assert.Equal(JsonSerializer.Serialize(fromA.Verdict, ContractJson.Options), JsonSerializer.Serialize(fromB.Verdict, ContractJson.Options));
    }

    /// <summary>
    /// A graphql-ws subscriber on each silo: whichever silo the deployment's grain lives on, the other one's subscriber
    /// can only hear the change through the verdict hub.
    /// </summary>
    [StorageFact]
    public async Task VerdictChanged_SubscribersOnBothSilos_HearChangeMadeThroughA()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await using var a = await SiloProcess.StartAsync(Settings(connectionString), ct);
        await using var b = await SiloProcess.StartAsync(Settings(connectionString), ct);
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        var register = await httpA.PostAsJsonAsync("v1/deployments",
            new RegisterDeploymentInput("ws-two", "checkout", "v2", [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)]),
            ContractJson.Options, ct);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);

        using var onA = NodeScript.Start("--experimental-websocket", "verdict-subscriber.js", WebSocketUrl(a), "ws-two");
        using var onB = NodeScript.Start("--experimental-websocket", "verdict-subscriber.js", WebSocketUrl(b), "ws-two");
        Assert.Equal("PENDING", Decision(await onA.StandardOutput.ReadLineAsync(ct)));
        Assert.Equal("PENDING", Decision(await onB.StandardOutput.ReadLineAsync(ct)));

        var changed = System.Diagnostics.Stopwatch.StartNew();
        using var response = await httpA.PostAsync("v1/samples", new StringContent(
            """
            {"deploymentId":"ws-two","cohort":"BASELINE","metric":"errors","count":0,"total":10000}
            {"deploymentId":"ws-two","cohort":"CANARY","metric":"errors","count":30,"total":10000}
            """, Encoding.UTF8, "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal("ROLLBACK", Decision(await LastLineAsync(onA, ct)));
        Assert.Equal("ROLLBACK", Decision(await LastLineAsync(onB, ct)));
        output.WriteLine($"ROLLBACK seen on both silos {changed.ElapsedMilliseconds} ms after the samples were sent through A");
    }

    private static string WebSocketUrl(SiloProcess silo) => new UriBuilder(silo.BaseAddress) { Scheme = "ws", Path = "/graphql" }.Uri.ToString();

    private static string? Decision(string? line) =>
        line is null ? null : JsonDocument.Parse(line).RootElement.GetProperty("data").GetProperty("verdictChanged").GetProperty("decision").GetString();

    /// <summary>The subscriber exits 0 after a ROLLBACK (1 on an error or after 60 s): its last event.</summary>
    private static async Task<string?> LastLineAsync(System.Diagnostics.Process client, CancellationToken ct)
    {
        string? last = null;
        while (await client.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            last = line;
        }

        await client.WaitForExitAsync(ct);
        Assert.True(client.ExitCode == 0, await client.StandardError.ReadToEndAsync(ct));
        return last;
    }

    private static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["Storage:Provider"] = "postgres",
        ["Storage:ConnectionString"] = connectionString,
        ["Cluster:FastFailover"] = "true",
    };

    private static StringContent Body(int batch) => new(
        $$"""{"deploymentId":"two-1","cohort":"CANARY","metric":"latency","batchId":"b{{batch}}","values":[{{string.Join(',', Enumerable.Repeat(batch, ValuesPerBatch))}}]}""",
        Encoding.UTF8, "application/x-ndjson");

    private static async Task<Deployment> GetAsync(HttpClient http, CancellationToken ct) =>
        (await http.GetFromJsonAsync<Deployment>("v1/deployments/two-1", ContractJson.Options, ct))!;

    /// <summary>Members with Orleans' status Active (3) in our membership table.</summary>
    private static async Task<long> ActiveMembersAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
