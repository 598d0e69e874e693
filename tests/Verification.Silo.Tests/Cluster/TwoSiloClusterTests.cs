using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Verification.Api.Contracts;
using Verification.Silo.Tests.Storage;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// Two real silo processes on one fresh PostgreSQL database form one Orleans cluster (ADO.NET clustering with our
/// membership SQL): both answer for the same deployment, whose single activation counts what either one received.
/// Skipped when VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class TwoSiloClusterTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
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
