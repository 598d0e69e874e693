using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.CrashSafety;

/// <summary>
/// Kills the real silo process with SIGKILL while batches stream in, restarts it on the same database, and checks
/// the durability promise: every acknowledged batch is there, no batch is partial, and re-sending everything with
/// the same batchIds counts nothing twice.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private const int BatchesPerRequest = 4;
    private const int ValuesPerBatch = 250;
    private const int Requests = 400;
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Sigkill_MidStream_AcknowledgedBatchesSurviveAndResendCountsNoneTwice()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        // The state row is left unwritten for the whole run (Grains:StateWriteSeconds): every acknowledged batch is in the
        // journal only when the process dies, so the restart must count them from the journal.
        var settings = new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = $"Data Source={_directory}/crash.db",
            ["Grains:StateWriteSeconds"] = "3600",
        };

        var acknowledged = new ConcurrentBag<int>();
        await using (var silo = await SiloProcess.StartAsync(settings, ct))
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            var register = await http.PostAsJsonAsync("v1/deployments", DeploymentInput(), ContractJson.Options, ct);
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);

            // Four writers stream requests; the process is killed once a third of them are acknowledged.
            var next = -1;
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                int request;
                while ((request = Interlocked.Increment(ref next)) < Requests)
                {
                    try
                    {
                        using var response = await http.PostAsync("v1/samples", Body(request), ct);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged.Add(request);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // The process is gone.
                    }
                }
            }, ct)).ToArray();

            while (acknowledged.Count < Requests / 3)
            {
                Assert.False(writers.All(w => w.IsCompleted), "writers stopped before the kill");
                await Task.Delay(5, ct);
            }

            silo.Kill();
            await Task.WhenAll(writers);
        }

        Assert.InRange(acknowledged.Count, Requests / 3, Requests - 1);
        Assert.Equal(1, await RowNextSequenceAsync());

        await using (var silo = await SiloProcess.StartAsync(settings, ct))
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            // The listing reads the rows, finds this one behind its journal, and asks the grain.
            var listed = await http.PostGraphQLAsync("{ deployments { id summaries { observations } } }");
            var afterRestart = await GetDeploymentAsync(http, ct);
            var stored = Observations(afterRestart);
            Assert.Equal(stored, listed.GetProperty("data").GetProperty("deployments")[0].GetProperty("summaries")[0].GetProperty("observations").GetInt64());

            // Whole batches only, and at least every acknowledged one.
            Assert.Equal(0, stored % ValuesPerBatch);
            Assert.True(stored / ValuesPerBatch >= acknowledged.Count * BatchesPerRequest,
                $"{stored / ValuesPerBatch} batches stored, {acknowledged.Count * BatchesPerRequest} acknowledged");

            // Re-send everything: stored batches are duplicates, the rest is new; the end state holds each batch once.
            var duplicates = 0;
            for (var request = 0; request < Requests; request++)
            {
                using var response = await http.PostAsync("v1/samples", Body(request), ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                duplicates += json.RootElement.GetProperty("duplicates").GetInt32();
            }

            Assert.Equal(stored / ValuesPerBatch, duplicates);
            var final = await GetDeploymentAsync(http, ct);
            Assert.Equal((long)Requests * BatchesPerRequest * ValuesPerBatch, Observations(final));
            Assert.Equal(ExpectedMean(), final.Summaries.Single().Mean!.Value, 9);
        }
    }

    /// <summary>The next sequence number the deployment's state row counts, read from the database file without a silo.</summary>
    private async Task<long> RowNextSequenceAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_directory}/crash.db;Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_extract(state, '$.nextSequence') FROM grain_state WHERE grain_type = 'deployment' AND grain_key = 'crash-1'";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static RegisterDeploymentInput DeploymentInput() =>
        new("crash-1", "checkout", "v2", [new MetricInput("latency", MetricKind.Continuous)]);

    /// <summary>Batch b of request r carries ValuesPerBatch copies of the value r·4+b, so sums reveal a partial or double batch.</summary>
    private static StringContent Body(int request)
    {
        var text = new StringBuilder();
        for (var b = 0; b < BatchesPerRequest; b++)
        {
            var id = (request * BatchesPerRequest) + b;
            text.Append("{\"deploymentId\":\"crash-1\",\"cohort\":\"CANARY\",\"metric\":\"latency\",\"batchId\":\"b")
                .Append(id).Append("\",\"values\":[")
                .AppendJoin(',', Enumerable.Repeat(id, ValuesPerBatch))
                .Append("]}\n");
        }

        return new StringContent(text.ToString(), Encoding.UTF8, "application/x-ndjson");
    }

    private static double ExpectedMean() => (Requests * BatchesPerRequest - 1) / 2.0;

    private static long Observations(Deployment deployment) => deployment.Summaries.SingleOrDefault()?.Observations ?? 0;

    private static async Task<Deployment> GetDeploymentAsync(HttpClient http, CancellationToken ct) =>
        (await http.GetFromJsonAsync<Deployment>("v1/deployments/crash-1", ContractJson.Options, ct))!;
}
