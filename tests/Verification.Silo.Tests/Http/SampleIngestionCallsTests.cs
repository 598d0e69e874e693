using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary>
/// <c>POST /v1/samples</c> with the silo's memory of registrations (DeploymentRegistrations): the grain calls a request makes,
/// counted by a grain call filter, and the answers when what the silo remembers is out of date.
/// </summary>
public sealed class SampleIngestionCallsTests : IAsyncLifetime
{
    private readonly SiloFactory _silo = new();
    private readonly DeploymentCalls _calls = new();
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _factory = _silo.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IIncomingGrainCallFilter>(_calls)));
        _http = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Samples_RequestsForOneDeployment_OnlyTheFirstReadsTheDeploymentThenOneCallEach()
    {
        var id = await RegisterAsync("calls-1");

        for (var i = 0; i < 3; i++)
        {
            using var response = await _http.PostAsync("/v1/samples", Ndjson(Line(id, $"b{i}"), Line(id, $"c{i}")));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["RegisterAsync", "GetAsync", "RecordAsync", "RecordAsync", "RecordAsync"], _calls.Of(id));
    }

    [Fact]
    public async Task Samples_DeploymentCompletedAfterTheSiloRememberedIt_409OnItsFirstLineAndNothingStored()
    {
        var id = await RegisterAsync("calls-done");
        using (var first = await _http.PostAsync("/v1/samples", Ndjson(Line(id, "a"))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var complete = await _http.PostAsync($"/v1/deployments/{id}/complete", Json("""{"status":"ROLLED_BACK"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        // The silo still remembers it as verifying: the grain refuses; the next request knows from the silo's memory.
        using var refused = await _http.PostAsync("/v1/samples", Ndjson(Line(id, "b"), Line(id, "c")));
        using var again = await _http.PostAsync("/v1/samples", Ndjson(Line(id, "d")));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        var problemAgain = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        var deployment = JsonDocument.Parse(await _http.GetStringAsync($"/v1/deployments/{id}")).RootElement;

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (refused.StatusCode, again.StatusCode));
        Assert.Equal(("deploymentId", 1), (problem.GetProperty("field").GetString(), problem.GetProperty("line").GetInt32()));
        var finishedAt = deployment.GetProperty("finishedAt").GetDateTimeOffset().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"line 1: deployment '{id}' was completed as ROLLED_BACK at {finishedAt}; its verdict no longer changes, so samples for it are not stored",
            problem.GetProperty("detail").GetString());
        Assert.Equal(problem.GetProperty("detail").GetString(), problemAgain.GetProperty("detail").GetString());
        Assert.Equal(2, deployment.GetProperty("summaries")[0].GetProperty("observations").GetInt64());
        // Ingest: read, record; complete (its access check reads); the refused record; the next request reads it again; the GET.
        Assert.Equal(["RegisterAsync", "GetAsync", "RecordAsync", "GetAsync", "CompleteAsync", "RecordAsync", "GetAsync", "GetAsync"], _calls.Of(id));
    }

    [Fact]
    public async Task Samples_SeveralDeploymentsOneCompletedAfterTheSiloRememberedIt_409AndNothingStoredForTheOthers()
    {
        var open = await RegisterAsync("calls-open");
        var done = await RegisterAsync("calls-done-2");
        using (var first = await _http.PostAsync("/v1/samples", Ndjson(Line(open, "a"), Line(done, "a"))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var complete = await _http.PostAsync($"/v1/deployments/{done}/complete", Json("""{"status":"ABORTED"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        using var response = await _http.PostAsync("/v1/samples", Ndjson(Line(open, "b"), Line(done, "b")));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var stored = JsonDocument.Parse(await _http.GetStringAsync($"/v1/deployments/{open}")).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.StartsWith($"line 2: deployment '{done}' was completed as ABORTED at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, stored.GetProperty("summaries")[0].GetProperty("observations").GetInt64());
    }

    private async Task<string> RegisterAsync(string id)
    {
        using var response = await _http.PostAsync("/v1/deployments", Json($$"""
            {"id":"{{id}}","service":"checkout","version":"v2","metrics":[{"name":"latency","kind":"CONTINUOUS"}]}
            """));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static string Line(string id, string batchId) =>
        $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"latency","values":[1,2],"batchId":"{{batchId}}"}""";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent Ndjson(params string[] lines) => new(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");

    /// <summary>Every call a deployment grain received, in order, by deployment id.</summary>
    private sealed class DeploymentCalls : IIncomingGrainCallFilter
    {
        private readonly ConcurrentQueue<(string Key, string Method, long Order)> _calls = new();
        private long _order;

        public IReadOnlyList<string> Of(string id) => [.. _calls.Where(c => c.Key == id).OrderBy(c => c.Order).Select(c => c.Method)];

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IDeploymentGrain))
            {
                _calls.Enqueue((context.TargetId.Key.ToString()!, context.InterfaceMethod.Name, Interlocked.Increment(ref _order)));
            }

            return context.Invoke();
        }
    }
}
