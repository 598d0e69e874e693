using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Cluster;

/// <summary>
/// A stand-in for the Prometheus HTTP API on a loopback port (Kestrel): answers every instant query
/// (<c>GET /api/v1/query</c>) with one sample of value <see cref="Value"/> and records the query text and its evaluation
/// time, so a test can count how often each deployment's query was evaluated for each time.
/// </summary>
internal sealed class FakePrometheus : IAsyncDisposable
{
    public const double Value = 5;

    private readonly WebApplication _app;

    private FakePrometheus(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every query received: its text (after the silo's substitution) and evaluation time in Unix milliseconds.</summary>
    public ConcurrentQueue<(string Query, long AtMs)> Queries { get; } = new();

    public static async Task<FakePrometheus> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakePrometheus(app);
        app.MapGet("/api/v1/query", (HttpRequest request) =>
        {
            var seconds = double.Parse(request.Query["time"].ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
            fake.Queries.Enqueue((request.Query["query"].ToString(), (long)Math.Round(seconds * 1000)));
            var json = string.Create(CultureInfo.InvariantCulture,
                $$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"p1"},"value":[{{{seconds}}},"{{{Value}}}"]}]}}""");
            return Results.Content(json, "application/json");
        });
        fake.Url = await LoopbackServer.StartAsync(app);
        return fake;
    }

    /// <summary>The evaluation times of each query text received so far, in arrival order.</summary>
    public Dictionary<string, List<long>> TimesByQuery() =>
        Queries.ToArray().GroupBy(q => q.Query, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(q => q.AtMs).ToList(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
