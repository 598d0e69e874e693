using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Verification.Bench.LongPoll;

/// <summary>
/// Long-poll waiters on one silo (issue 10, item 1): <c>--waiters</c> concurrent <c>GET /v1/deployments/{id}/verdict?wait=60</c>
/// with the current ETag, all parked on one deployment (the worst fan-out: one change answers all of them). Measures the
/// silo process' resident memory and threads before and while they wait (from <c>/proc/{pid}/status</c>, so the memory
/// per waiter includes Kestrel's connection, the request and our watch), then changes the verdict with one sample batch
/// and measures, per waiter, the time from sending that batch to having the whole answer. Several rounds; each round opens
/// new connections (the first round's memory is the honest first-time cost; later rounds reuse what the first grew).
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

        await PlainAsync(http, id, waiters, pid);
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
        var request = Encoding.ASCII.GetBytes(
            $"GET /v1/deployments/{id}/verdict?wait=60 HTTP/1.1\r\nHost: {http.BaseAddress!.Authority}\r\nIf-None-Match: {etag}\r\n\r\n");
        for (var i = 0; i < waiters; i++)
        {
            tasks[i] = WaitAsync(i);
        }

        // One connection per waiter speaking plain HTTP/1.1 (a client far lighter than HttpClient, so that the time measured
        // is the server's): send the long poll, read the whole answer, note when it was complete.
        async Task WaitAsync(int index)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(http.BaseAddress!.Host, http.BaseAddress.Port);
            await socket.SendAsync(request);
            var answer = await ReadAnswerAsync(socket);
            answeredAt[index] = Stopwatch.GetTimestamp();
            if (!answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || answer.Contains(etag, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref failures);
            }
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
        var cpuBefore = CpuSeconds(pid);
        changeSent = Stopwatch.GetTimestamp();
        using (var change = await http.PostAsync("v1/samples", new StringContent(
            $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":1,"total":1000,"batchId":"b{{batch}}"}""",
            Encoding.UTF8, "application/x-ndjson")))
        {
            change.EnsureSuccessStatusCode();
        }

        var changeAcknowledged = Stopwatch.GetTimestamp();
        await Task.WhenAll(tasks);
        var cpu = CpuSeconds(pid) - cpuBefore;
        if (!report)
        {
            return;
        }

        var latencies = answeredAt.Select(t => Stopwatch.GetElapsedTime(changeSent, t).TotalMilliseconds).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {batch}: parked rss +{(rssParked - rssBefore) / 1024.0 / 1024.0:F1} MiB = {(double)(rssParked - rssBefore) / waiters / 1024.0:F1} KiB/waiter, " +
            $"threads {threadsBefore} -> {threadsParked}; change acknowledged after {Stopwatch.GetElapsedTime(changeSent, changeAcknowledged).TotalMilliseconds:F0} ms; " +
            $"answered after p50 {Percentile(latencies, 0.50):F0} ms, p99 {Percentile(latencies, 0.99):F0} ms, max {latencies[^1]:F0} ms; " +
            $"silo CPU for the change and all answers {cpu * 1000:F0} ms = {cpu * 1e6 / waiters:F0} µs/waiter; wrong answers {failures}; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }

    /// <summary>
    /// The yardstick: the same number of plain <c>GET …/verdict</c> requests (no wait), same client, all at once — the
    /// silo's CPU per whole request (connection, parse, grain read, answer, close) next to its CPU per woken waiter.
    /// </summary>
    private static async Task PlainAsync(HttpClient http, string id, int requests, int pid)
    {
        var request = Encoding.ASCII.GetBytes($"GET /v1/deployments/{id}/verdict HTTP/1.1\r\nHost: {http.BaseAddress!.Authority}\r\n\r\n");
        var cpuBefore = CpuSeconds(pid);
        var started = Stopwatch.GetTimestamp();
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(http.BaseAddress!.Host, http.BaseAddress.Port);
            await socket.SendAsync(request);
            if (!(await ReadAnswerAsync(socket)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref failures);
            }
        }));
        var cpu = CpuSeconds(pid) - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plain GET (no wait), {requests} at once, same client: all answered after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms; " +
            $"silo CPU {cpu * 1000:F0} ms = {cpu * 1e6 / requests:F0} µs/request; wrong answers {failures}; " +
            $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }

    /// <summary>Reads one HTTP/1.1 answer (headers and a Content-Length body) as text.</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket)
    {
        var buffer = new byte[8192];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }

            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headersEnd >= 0)
            {
                var match = ContentLength().Match(text[..headersEnd]);
                if (match.Success && length >= headersEnd + 4 + int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
                {
                    return text;
                }
            }

            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
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

    /// <summary>CPU time (user + system) the process used so far, from <c>/proc/{pid}/stat</c> (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    [GeneratedRegex(@"(?im)^content-length:\s*([0-9]+)")]
    private static partial Regex ContentLength();

    [GeneratedRegex(@"^http_server_active_requests(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex ActiveRequests();
}
