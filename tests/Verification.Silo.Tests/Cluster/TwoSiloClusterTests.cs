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
        var (connectionString, a, b) = await StartTwoSilosAsync(ct);
        await using var _ = a;
        await using var __ = b;
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
        var (connectionString, a, b) = await StartTwoSilosAsync(ct);
        await using var _ = a;
        await using var __ = b;
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

    /// <summary>
    /// SIGKILL of silo A while four writers stream batches to eight deployments (registered through A, so mostly placed
    /// there) through B: B answers 200 or 503 + Retry-After, never anything else; once A is declared dead every
    /// deployment answers again from B, every acknowledged batch is there, and re-sending everything counts nothing twice.
    /// </summary>
    [StorageFact]
    public async Task Sigkill_SiloHostingDeployments_SurvivorServesAllAcknowledgedBatchesOnce()
    {
        const int deployments = 8;
        const int requests = 400;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        // State rows left unwritten for the whole run (Grains:StateWriteSeconds): acknowledged batches are in the journal only.
        var (connectionString, a, b) = await StartTwoSilosAsync(ct, stateWriteSeconds: 3600);
        await using var _ = a;
        await using var __ = b;
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress, Timeout = TimeSpan.FromSeconds(45) };
        for (var d = 0; d < deployments; d++)
        {
            var register = await httpA.PostAsJsonAsync("v1/deployments",
                new RegisterDeploymentInput($"fo-{d}", "checkout", "v2", [new MetricInput("latency", MetricKind.Continuous)]), ContractJson.Options, ct);
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        }

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<int>();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var next = -1;
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int request;
            while ((request = Interlocked.Increment(ref next)) < requests)
            {
                using var response = await httpB.PostAsync("v1/samples", FailoverBody(request, deployments), ct);
                statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add(request);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
                }
            }
        }, ct)).ToArray();
        while (acknowledged.Count < requests / 3)
        {
            Assert.False(writers.All(w => w.IsCompleted), "writers stopped before the kill");
            await Task.Delay(5, ct);
        }

        a.Kill();
        var acknowledgedAtKill = acknowledged.Count;
        var countedByRows = await CountedByRowsAsync(connectionString, ct);
        // The survivor's connection attempts to the killed silo fail until its death is declared; Orleans logs them at Error.
        b.ExpectErrors("ConnectionFailedException: Unable to connect to");
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(writers);

        // Recovery: every deployment answers through B again.
        for (var d = 0; d < deployments; d++)
        {
            while (true)
            {
                using var response = await httpB.GetAsync($"v1/deployments/fo-{d}", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                await Task.Delay(50, ct);
            }
        }

        var recovery = killed.ElapsedMilliseconds;
        long stored = 0;
        for (var d = 0; d < deployments; d++)
        {
            stored += (await GetAsync(httpB, $"fo-{d}", ct)).Summaries.SingleOrDefault()?.Observations ?? 0;
        }

        Assert.Equal(0, stored % ValuesPerBatch);
        Assert.True(stored / ValuesPerBatch >= acknowledged.Count, $"{stored / ValuesPerBatch} batches stored, {acknowledged.Count} acknowledged");
        Assert.True(countedByRows < acknowledgedAtKill, $"the rows counted {countedByRows} batches at the kill, {acknowledgedAtKill} were acknowledged");

        var duplicates = 0;
        for (var request = 0; request < requests; request++)
        {
            using var response = await httpB.PostAsync("v1/samples", FailoverBody(request, deployments), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var duplicate = json.RootElement.GetProperty("duplicates").GetInt32();
            Assert.True(duplicate == 1 || !acknowledged.Contains(request), $"acknowledged batch b{request} was not stored");
            duplicates += duplicate;
        }

        Assert.Equal(stored / ValuesPerBatch, duplicates);
        for (var d = 0; d < deployments; d++)
        {
            var final = await GetAsync(httpB, $"fo-{d}", ct);
            Assert.Equal((long)requests / deployments * ValuesPerBatch, final.Summaries.Single().Observations);
        }

        output.WriteLine($"recovery {recovery} ms after SIGKILL; {acknowledged.Count} acknowledged before/while dying; statuses " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}")));
    }

    /// <summary>Request r is one batch of ValuesPerBatch copies of r for deployment fo-(r mod deployments).</summary>
    private static StringContent FailoverBody(int request, int deployments) => new(
        $$"""{"deploymentId":"fo-{{request % deployments}}","cohort":"CANARY","metric":"latency","batchId":"b{{request}}","values":[{{string.Join(',', Enumerable.Repeat(request, ValuesPerBatch))}}]}""",
        Encoding.UTF8, "application/x-ndjson");

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

    /// <summary>Two silo processes on a fresh database (one cluster), started one after the other.</summary>
    private async Task<(string ConnectionString, SiloProcess A, SiloProcess B)> StartTwoSilosAsync(CancellationToken ct, int? stateWriteSeconds = null)
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        var settings = Settings(connectionString);
        if (stateWriteSeconds is { } seconds)
        {
            settings["Grains:StateWriteSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var a = await SiloProcess.StartAsync(settings, ct);
        try
        {
            return (connectionString, a, await SiloProcess.StartAsync(settings, ct));
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    /// <summary>A silo of the test cluster on <paramref name="connectionString"/>, with short failover probes.</summary>
    internal static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["Storage:Provider"] = "postgres",
        ["Storage:ConnectionString"] = connectionString,
        ["Cluster:FastFailover"] = "true",
        // Orleans logs at Error when it cannot forward a call's cancellation to a silo that was just killed: the
        // expected consequence of the SIGKILL here, not an exception of ours, so it stays out of the ServerErrorLog.
        ["Logging:LogLevel:Orleans.Runtime.GrainCallCancellationManager"] = "Critical",
    };

    private static StringContent Body(int batch) => new(
        $$"""{"deploymentId":"two-1","cohort":"CANARY","metric":"latency","batchId":"b{{batch}}","values":[{{string.Join(',', Enumerable.Repeat(batch, ValuesPerBatch))}}]}""",
        Encoding.UTF8, "application/x-ndjson");

    private static async Task<Deployment> GetAsync(HttpClient http, CancellationToken ct) => await GetAsync(http, "two-1", ct);

    private static async Task<Deployment> GetAsync(HttpClient http, string id, CancellationToken ct) =>
        (await http.GetFromJsonAsync<Deployment>($"v1/deployments/{id}", ContractJson.Options, ct))!;

    /// <summary>How many journal entries the deployments' state rows count (their next sequence numbers, less one each).</summary>
    private static async Task<long> CountedByRowsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum((state::json ->> 'nextSequence')::bigint - 1), 0)::bigint FROM grain_state WHERE grain_type = 'deployment'", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Members with Orleans' status Active (3) in our membership table.</summary>
    private static async Task<long> ActiveMembersAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_membership WHERE status = 3", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
