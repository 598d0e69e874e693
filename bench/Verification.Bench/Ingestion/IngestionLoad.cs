using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Verification.Api.Contracts;

namespace Verification.Bench.Ingestion;

/// <summary>
/// Load generator for <c>POST /v1/samples</c>: registers deployments on a running silo, then several concurrent
/// clients post NDJSON bodies of batches of 1,000 values for a fixed time, and it reports durable values per second
/// (a request is counted only once answered 200, i.e. after the silo committed it). Stops by itself.
/// Usage: <c>ingest --url http://127.0.0.1:5080[,http://…] [--seconds 20] [--clients 8] [--deployments 8] [--lines 20] [--values 1000]
/// [--run ID] [--phase all|register|load] [--before CMD] [--after CMD]</c> (several silo URLs, comma-separated: the clients are spread over them; the
/// deployments are <c>bench-ID-0…</c>, ID random unless given; <c>register</c> only registers them, <c>load</c> only posts, so
/// that a caller can measure the load apart from the registrations; <c>sh -c CMD</c> runs, and is waited for, right before the
/// clock starts and right after the last request ended, so that a caller can snapshot counters around exactly the load).
/// </summary>
internal static class IngestionLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        // One client per silo: client i posts to silo i mod n (a round-robin balancer's spread); registration goes to the first.
        var silos = options.Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients })
            {
                BaseAddress = new Uri(url.TrimEnd('/') + "/"),
                Timeout = TimeSpan.FromMinutes(2),
            })
            .ToArray();
        using var http = silos[0];

        var run = options.Run ?? Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, options.Deployments).Select(i => $"bench-{run}-{i}").ToArray();
        foreach (var id in options.Phase == "load" ? [] : ids)
        {
            var input = new RegisterDeploymentInput(id, "bench", "v1", [new MetricInput("latency", MetricKind.Continuous)]);
            using var response = await http.PostAsJsonAsync("v1/deployments", input, ContractJson.Options);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Console.Error.WriteLine($"register {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return 1;
            }
        }

        if (options.Phase == "register")
        {
            return 0;
        }

        // Bodies are built before the clock starts; each request carries fresh batch ids so nothing is a duplicate.
        var random = new Random(42);
        var values = string.Join(',', Enumerable.Range(0, options.Values).Select(_ => (random.NextDouble() * 200).ToString("F3", CultureInfo.InvariantCulture)));
        long accepted = 0;
        long requests = 0;
        long failures = 0;
        var latencies = new List<double>();
        // The load generator's own CPU over the timed window (not its start-up or the registrations): the client's share
        // of the machine in bench/cluster-ingest.sh's cost model.
        await HookAsync(options.Before);
        using var self = Process.GetCurrentProcess();
        var cpuAtStart = self.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(options.Seconds);
        var clients = Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
        {
            var own = new List<double>();
            var sequence = 0;
            while (stopwatch.Elapsed < end)
            {
                var deployment = ids[(client + sequence) % ids.Length];
                var body = new StringBuilder(options.Lines * (values.Length + 120));
                for (var line = 0; line < options.Lines; line++)
                {
                    body.Append("{\"deploymentId\":\"").Append(deployment).Append("\",\"cohort\":\"")
                        .Append(line % 2 == 0 ? "BASELINE" : "CANARY")
                        .Append("\",\"metric\":\"latency\",\"batchId\":\"c").Append(client).Append('-').Append(sequence).Append('-').Append(line)
                        .Append("\",\"values\":[").Append(values).Append("]}\n");
                }

                sequence++;
                var started = stopwatch.Elapsed;
                using var response = await silos[client % silos.Length].PostAsync("v1/samples", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"));
                own.Add((stopwatch.Elapsed - started).TotalMilliseconds);
                Interlocked.Increment(ref requests);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Add(ref accepted, (long)options.Lines * options.Values);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }

            lock (latencies)
            {
                latencies.AddRange(own);
            }
        })).ToArray();
        await Task.WhenAll(clients);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        self.Refresh();
        var clientCpu = self.TotalProcessorTime - cpuAtStart;
        await HookAsync(options.After);
        foreach (var silo in silos.Skip(1))
        {
            silo.Dispose();
        }

        latencies.Sort();
        var median = latencies.Count == 0 ? double.NaN : latencies[latencies.Count / 2];
        var p99 = latencies.Count == 0 ? double.NaN : latencies[(int)(latencies.Count * 0.99)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"values/s={accepted / seconds:F0} requests={requests} failures={failures} seconds={seconds:F1} " +
            $"clients={options.Clients} deployments={options.Deployments} lines/request={options.Lines} values/line={options.Values} " +
            $"request-ms-median={median:F1} request-ms-p99={p99:F1} client-cpu-s={clientCpu.TotalSeconds:F2}"));
        return failures == 0 ? 0 : 1;
    }

    private static async Task HookAsync(string? command)
    {
        if (command is null)
        {
            return;
        }

        using var hook = Process.Start(new ProcessStartInfo("sh") { ArgumentList = { "-c", command } })!;
        await hook.WaitForExitAsync();
        if (hook.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {hook.ExitCode}");
        }
    }

    private sealed record Options(string Url, int Seconds, int Clients, int Deployments, int Lines, int Values, string? Run, string Phase,
        string? Before, string? After)
    {
        public static Options Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                map[args[i].TrimStart('-')] = args[i + 1];
            }

            var phase = map.GetValueOrDefault("phase", "all");
            if (phase is not ("all" or "register" or "load"))
            {
                throw new ArgumentException($"--phase must be all, register or load, got '{phase}'");
            }

            int Int(string key, int value) => map.TryGetValue(key, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : value;
            return new Options(map.GetValueOrDefault("url", "http://127.0.0.1:5080"), Int("seconds", 20), Int("clients", 8),
                Int("deployments", 8), Int("lines", 20), Int("values", 1000), map.GetValueOrDefault("run"), phase,
                map.GetValueOrDefault("before"), map.GetValueOrDefault("after"));
        }
    }
}
