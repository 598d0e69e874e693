using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Verification.Api.Contracts;
using Verification.Silo.Tests.Storage;
using Verification.Silo.Tests.TestSupport;
using Xunit.Abstractions;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// The verdict clock in a cluster of two real silo processes on one fresh PostgreSQL database: each deployment's window
/// closes with no request arriving, and the reminder that judges it fires once in the whole cluster — also when the silo
/// that registered the deployments is killed before. Evaluations are counted by each silo's
/// <c>verification_verdict_clock_evaluations_total</c>; verdicts are read from the database, since a read would judge.
/// Skipped when VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class VerdictClockClusterTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private const int Deployments = 12;

    [StorageFact]
    public async Task Reminders_TwoSilos_EachClosingWindowJudgedOnceInTheCluster()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await using var a = await SiloProcess.StartAsync(TwoSiloClusterTests.Settings(connectionString), ct);
        await using var b = await SiloProcess.StartAsync(TwoSiloClusterTests.Settings(connectionString), ct);
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress };

        for (var d = 0; d < Deployments; d++)
        {
            await RegisterAsync(d % 2 == 0 ? httpA : httpB, $"clock-{d}", windowSeconds: 4, ct);
        }

        var closed = System.Diagnostics.Stopwatch.StartNew();
        await PollAsync(async () => (await DecisionsAsync(connectionString, ct)).All(x => x == "INCONCLUSIVE"), ct);
        var elapsed = closed.ElapsedMilliseconds;
        await PollAsync(async () => await RemindersAsync(connectionString, ct) == 0, ct);
        var onA = await EvaluationsAsync(httpA, ct);
        var onB = await EvaluationsAsync(httpB, ct);

        Assert.Equal(Enumerable.Repeat("INCONCLUSIVE", Deployments), await DecisionsAsync(connectionString, ct));
        Assert.Equal(Deployments, onA + onB);
        output.WriteLine($"all windows closed {elapsed} ms after the last registration; evaluations A {onA}, B {onB}");
    }

    [StorageFact]
    public async Task Reminders_SiloKilledBeforeWindowsClose_SurvivorJudgesEachDeploymentOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await using var a = await SiloProcess.StartAsync(TwoSiloClusterTests.Settings(connectionString), ct);
        await using var b = await SiloProcess.StartAsync(TwoSiloClusterTests.Settings(connectionString), ct);
        using var httpA = new HttpClient { BaseAddress = a.BaseAddress };
        using var httpB = new HttpClient { BaseAddress = b.BaseAddress };
        for (var d = 0; d < Deployments; d++)
        {
            await RegisterAsync(httpA, $"kill-{d}", windowSeconds: 10, ct);
        }

        // Without a window (no reminder): read through GraphQL on B while A's death is being noticed.
        for (var d = 0; d < 4; d++)
        {
            using var response = await httpA.PostAsJsonAsync("v1/deployments",
                new RegisterDeploymentInput($"gql-{d}", "checkout", "v2", [new MetricInput("latency", MetricKind.Continuous)]), ContractJson.Options, ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(Deployments, await RemindersAsync(connectionString, ct));
        a.Kill();
        // The survivor's connection attempts to the killed silo fail until its death is declared; Orleans logs them at Error.
        b.ExpectErrors("ConnectionFailedException: Unable to connect to");
        var killed = System.Diagnostics.Stopwatch.StartNew();
        var unavailable = await ReadThroughGraphQLUntilAnsweredAsync(httpB, ct);

        await PollAsync(async () => (await DecisionsAsync(connectionString, ct)).All(x => x == "INCONCLUSIVE"), ct);
        var elapsed = killed.ElapsedMilliseconds;
        await PollAsync(async () => await RemindersAsync(connectionString, ct) == 0, ct);

        Assert.Equal(Enumerable.Repeat("INCONCLUSIVE", Deployments), await DecisionsAsync(connectionString, ct));
        Assert.Equal(Deployments, await EvaluationsAsync(httpB, ct));
        output.WriteLine($"all windows judged by the survivor {elapsed} ms after SIGKILL (windows closed about 10 s after registration); "
            + $"{unavailable} GraphQL reads answered UNAVAILABLE meanwhile");
    }

    /// <summary>
    /// Queries gql-0..3 through <paramref name="http"/> until each answers with data; every error meanwhile must be the
    /// retryable UNAVAILABLE with retryAfter 2 (a call caught by the silo's death). Returns how many there were.
    /// </summary>
    private static async Task<int> ReadThroughGraphQLUntilAnsweredAsync(HttpClient http, CancellationToken ct)
    {
        var unavailable = 0;
        for (var d = 0; d < 4; d++)
        {
            while (true)
            {
                var answer = await http.PostGraphQLAsync($$"""{ deployment(id: "gql-{{d}}") { id } }""");
                if (!answer.TryGetProperty("errors", out var errors))
                {
                    Assert.Equal($"gql-{d}", answer.GetProperty("data").GetProperty("deployment").GetProperty("id").GetString());
                    break;
                }

                var extensions = errors[0].GetProperty("extensions");
                Assert.Equal(("UNAVAILABLE", 2), (extensions.GetProperty("code").GetString(), extensions.GetProperty("retryAfter").GetInt32()));
                unavailable++;
                await Task.Delay(50, ct);
            }
        }

        return unavailable;
    }

    private static async Task RegisterAsync(HttpClient http, string id, int windowSeconds, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("v1/deployments",
            new RegisterDeploymentInput(id, "checkout", "v2", [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)],
                Analysis: new AnalysisInput(MaxDurationSeconds: windowSeconds)),
            ContractJson.Options, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>The stored decision of every deployment with a window (ids clock-* and kill-*), by id.</summary>
    private static async Task<List<string>> DecisionsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT state::json -> 'verdict' ->> 'decision' FROM grain_state WHERE grain_type = 'deployment' AND grain_key NOT LIKE 'gql-%' ORDER BY grain_key", connection);
        var decisions = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            decisions.Add(reader.GetString(0));
        }

        return decisions;
    }

    private static async Task<long> RemindersAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orleans_reminders", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The silo's count of clock evaluations (0 before its first).</summary>
    private static Task<long> EvaluationsAsync(HttpClient http, CancellationToken ct) =>
        CounterAsync(http, "verification_verdict_clock_evaluations_total", ct);

    /// <summary>The value of the unlabelled counter <paramref name="name"/> on the silo's <c>/metrics</c> (0 before it is counted).</summary>
    internal static async Task<long> CounterAsync(HttpClient http, string name, CancellationToken ct)
    {
        var metrics = await http.GetStringAsync("metrics", ct);
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    internal static async Task PollAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(100, ct);
        }
    }
}
