using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Verification.Bench.LongPoll;

/// <summary>
/// Long-poll waiters on one silo (issue 10, item 1): <c>--waiters</c> concurrent <c>GET /v1/deployments/{id}/verdict?wait=60</c>
/// with the current ETag, all parked on one deployment (the worst fan-out: one change answers all of them). Measures the
/// silo process' resident memory and threads before and while they wait (from <c>/proc/{pid}/status</c>, so the memory
/// per waiter includes Kestrel's connection, the request and our watch), then changes the verdict with one sample batch
/// and measures, per waiter, the time from sending that batch to having the whole answer. Several rounds.
/// Usage: <c>long-poll --url http://127.0.0.1:5080 --pid 1234 [--waiters 5000] [--rounds 3]</c>.
/// </summary>
internal static partial class LongPollLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = Arg(args, "--url") ?? "http://127.0.0.1:5080";
        var pid = int.Parse(Arg(args, "--pid") ?? throw new ArgumentException("--pid of the silo is required"), CultureInfo.InvariantCulture);
        var waiters = int.Parse(Arg(args, "--waiters") ?? "5000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Arg(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = new Uri(url.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(120),
        };

        var id = "longpoll-" + Guid.NewGuid().ToString("N")[..12];
        using (var register = await http.PostAsync("v1/deployments", new StringContent($$"""
            {"id":"{{id}}","service":"bench","version":"v2","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE"}]}
            """, Encoding.UTF8, "application/json")))
        {
            register.EnsureSuccessStatusCode();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"waiters={waiters} rounds={rounds} cpus={Environment.ProcessorCount}"));

        // Warm-up: JIT and the first connections, not measured.
        await RoundAsync(http, id, Math.Min(200, waiters), pid, batch: 0, report: false);
        for (var round = 1; round <= rounds; round++)
        {
            await RoundAsync(http, id, waiters, pid, round, report: true);
        }

        return 0;
    }

    private static async Task RoundAsync(HttpClient http, string id, int waiters, int pid, int batch, bool report)
    {
        var etag = await ETagAsync(http, id);
        GC.Collect();
        var (rssBefore, threadsBefore) = ProcessStatus(pid);

        long changeSent = 0;
        var answeredAt = new long[waiters];
        var failures = 0;
        var tasks = new Task[waiters];
        for (var i = 0; i < waiters; i++)
        {
            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/deployments/{id}/verdict?wait=60");
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                answeredAt[index] = Stopwatch.GetTimestamp();
                if (response.StatusCode != HttpStatusCode.OK || response.Headers.ETag?.Tag == etag || body.Length == 0)
                {
                    Interlocked.Increment(ref failures);
                }
            });
        }

        // Parked: every request is active on the server (ASP.NET Core's own gauge on /metrics, less this scrape).
        var deadline = Stopwatch.StartNew();
        while (await ActiveRequestsAsync(http) - 1 < waiters)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(50))
            {
                throw new TimeoutException($"only {await ActiveRequestsAsync(http) - 1} of {waiters} requests parked");
            }

            await Task.Delay(200);
        }

        var (rssParked, threadsParked) = ProcessStatus(pid);
        changeSent = Stopwatch.GetTimestamp();
        using (var change = await http.PostAsync("v1/samples", new StringContent(
            $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":1,"total":1000,"batchId":"b{{batch}}"}""",
            Encoding.UTF8, "application/x-ndjson")))
        {
            change.EnsureSuccessStatusCode();
        }

        var changeAcknowledged = Stopwatch.GetTimestamp();
        await Task.WhenAll(tasks);
        if (!report)
        {
            return;
        }

        var latencies = answeredAt.Select(t => Stopwatch.GetElapsedTime(changeSent, t).TotalMilliseconds).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {batch}: parked rss +{(rssParked - rssBefore) / 1024.0 / 1024.0:F1} MiB = {(double)(rssParked - rssBefore) / waiters / 1024.0:F1} KiB/waiter, " +
            $"threads {threadsBefore} -> {threadsParked}; change acknowledged after {Stopwatch.GetElapsedTime(changeSent, changeAcknowledged).TotalMilliseconds:F0} ms; " +
            $"answered after p50 {Percentile(latencies, 0.50):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies[^1]:F0} ms; wrong answers {failures}"));
    }

    private static async Task<string> ETagAsync(HttpClient http, string id)
    {
        using var response = await http.GetAsync($"v1/deployments/{id}/verdict");
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag?.Tag ?? throw new InvalidOperationException("no ETag");
    }

    private static async Task<int> ActiveRequestsAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("metrics");
        return (int)ActiveRequests().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Resident memory (bytes) and threads of a process, from <c>/proc/{pid}/status</c>.</summary>
    private static (long Rss, int Threads) ProcessStatus(int pid)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return (rss, threads);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    [GeneratedRegex(@"^http_server_active_requests(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex ActiveRequests();
}
