using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary>
/// A write that loses a race to another activation of the grain (as during a membership change; here that activation's
/// append and state write are made behind the active grain's back): the journal's sequence number is taken, the grain
/// answers InconsistentStateException and is dropped without retrying. HTTP answers 503 with Retry-After, GraphQL
/// UNAVAILABLE with retryAfter, never a 500; the retry replays the journal and counts its batch once.
/// </summary>
public sealed class ConcurrentWriteTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task PostSamples_LostETagRace_503WithRetryAfterThenRetryCountsBatchOnce()
    {
        await RegisterAsync("race-http");
        using var first = await _http.PostAsync("/v1/samples", Batch("race-http", "b1"));
        await AnotherWriterAsync("race-http");

        using var lost = await _http.PostAsync("/v1/samples", Batch("race-http", "b2"));
        using var retry = await _http.PostAsync("/v1/samples", Batch("race-http", "b2"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Equal("2", lost.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", lost.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "Another write to this data won a concurrent update (the stored version changed); retry after 2 s.",
            JsonDocument.Parse(await lost.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(9, await ObservationsAsync("race-http"));
    }

    [Fact]
    public async Task RecordSamplesMutation_LostETagRace_UnavailableWithRetryAfterThenRetryCountsBatchOnce()
    {
        await RegisterAsync("race-gql");
        const string Mutation = """
            mutation { recordSamples(input: {deploymentId: "race-gql", cohort: CANARY, metric: "latency", values: [1, 2, 3], batchId: "g2"}) { accepted } }
            """;
        await AnotherWriterAsync("race-gql");

        var lost = await _http.PostGraphQLAsync(Mutation);
        var retry = await _http.PostGraphQLAsync(Mutation);

        var error = lost.GetProperty("errors")[0];
        Assert.Equal("Another write to this data won a concurrent update (the stored version changed); retry after 2 s.",
            error.GetProperty("message").GetString());
        Assert.Equal(("UNAVAILABLE", 2), (error.GetProperty("extensions").GetProperty("code").GetString(),
            error.GetProperty("extensions").GetProperty("retryAfter").GetInt32()));
        Assert.False(retry.TryGetProperty("errors", out _));
        Assert.Equal(6, await ObservationsAsync("race-gql"));
    }

    private async Task RegisterAsync(string id)
    {
        using var response = await _http.PostAsync("/v1/deployments", new StringContent(
            $$"""{"id":"{{id}}","service":"checkout","version":"v2","metrics":[{"name":"latency","kind":"CONTINUOUS"}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static StringContent Batch(string id, string batchId) => new(
        $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"latency","batchId":"{{batchId}}","values":[1,2,3]}""",
        Encoding.UTF8, "application/x-ndjson");

    /// <summary>
    /// What a second activation's record leaves: a batch of 3 values at the next sequence number (a copy of the last one, or
    /// of a batch of its own when there is none) and the state row at a version past the one the active grain holds.
    /// </summary>
    private async Task AnotherWriterAsync(string id)
    {
        await using var connection = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO grain_journal (grain_type, grain_key, seq, batch_id, payload)
            SELECT 'deployment', $id, coalesce((SELECT max(seq) FROM grain_journal WHERE grain_type = 'deployment' AND grain_key = $id), 0) + 1, 'theirs', $payload;
            UPDATE grain_state SET version = version + 1 WHERE grain_type = 'deployment' AND grain_key = $id;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$payload", Verification.Silo.Grains.SampleBatchCodec.Encode(
            new Verification.Silo.Grains.StoredBatch(Verification.Api.Contracts.Cohort.Canary, "latency", DateTimeOffset.UtcNow, 0, 0, [1, 2, 3])));
        Assert.Equal(2, await command.ExecuteNonQueryAsync());
    }

    private async Task<long> ObservationsAsync(string id)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"/v1/deployments/{id}"));
        return document.RootElement.GetProperty("summaries")[0].GetProperty("observations").GetInt64();
    }
}
