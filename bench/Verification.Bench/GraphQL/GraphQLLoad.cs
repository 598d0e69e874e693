using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verification.Api.Contracts;

namespace Verification.Bench.GraphQL;

/// <summary>
/// HTTP throughput of the standard verdict query (issue 3, item 5): <c>POST /graphql</c> on a running silo against a
/// plain ASP.NET Core endpoint that answers the same JSON bytes, side by side in one run, alternating targets over
/// several rounds and reporting medians. Stops by itself.
/// <para>
/// The plain endpoint is a minimal Kestrel app (no middleware, one route) in a child process of this benchmark, with the
/// silo's server GC, answering the exact bytes the silo's GraphQL endpoint answered; it reads the request body the
/// client sends, like the GraphQL endpoint must. It is a separate process because the silo is one: load generator and
/// server then compete for the cores in the same way for both targets. Answering captured bytes (rather than proxying to
/// the silo's <c>GET /v1/deployments/{id}</c>, which would add a hop the GraphQL side does not pay) makes it the cost of
/// HTTP alone, so the ratio is a conservative "GraphQL + grain read vs bare HTTP". The silo's own
/// <c>GET /v1/deployments/{id}</c> (a plain endpoint with the same grain read, larger JSON) is measured as a third column.
/// </para>
/// Usage: <c>graphql-load --url http://127.0.0.1:5080 [--seconds 10] [--clients 16] [--rounds 3] [--warmup 3] [--rest true|false]</c>.
/// </summary>
internal static class GraphQLLoad
{
    private const string ServePlain = "--serve-plain";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.FirstOrDefault() == ServePlain)
        {
            return await ServePlainAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        var options = Options.Parse(args);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var silo = new Uri(options.Url.TrimEnd('/') + "/");
        var id = $"{VerdictQuery.DeploymentId}-{Guid.NewGuid():N}"[..24];
        await SetUpDeploymentAsync(http, silo, id);

        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { query = VerdictQuery.Text, variables = new { id } }));
        var graphql = new Target("graphql", new Uri(silo, "graphql"), HttpMethod.Post, body);
        var answer = await graphql.SendAsync(http, CancellationToken.None);
        using (var parsed = System.Text.Json.JsonDocument.Parse(answer))
        {
            if (parsed.RootElement.TryGetProperty("errors", out _)
                || parsed.RootElement.GetProperty("data").GetProperty("deployment").GetProperty("verdict").GetProperty("decision").GetString() != "ROLLBACK")
            {
                await Console.Error.WriteLineAsync("unexpected verdict answer: " + answer);
                return 1;
            }
        }

        var answerFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(answerFile, answer);
        using var plainServer = await StartPlainServerAsync(answerFile);
        var plain = new Target("plain", new Uri($"http://127.0.0.1:{plainServer.Port}/verdict"), HttpMethod.Post, body);
        var rest = new Target("rest", new Uri(silo, $"v1/deployments/{id}"), HttpMethod.Get, null);
        Target[] targets = options.Rest ? [graphql, plain, rest] : [graphql, plain];
        if (await plain.SendAsync(http, CancellationToken.None) != answer)
        {
            await Console.Error.WriteLineAsync("the plain endpoint does not answer the captured bytes");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"answer={Encoding.UTF8.GetByteCount(answer)} bytes clients={options.Clients} seconds/run={options.Seconds} rounds={options.Rounds} " +
            $"warmup-seconds/target={options.Warmup} " +
            $"cpus={Environment.ProcessorCount}"));
        foreach (var target in targets)
        {
            // Not reported: connections, JIT and tiered compilation (the first seconds of the silo's GraphQL path run
            // unoptimized code and measured half the steady rate).
            await MeasureAsync(http, target, options.Clients, TimeSpan.FromSeconds(options.Warmup));
        }

        var results = targets.ToDictionary(t => t.Name, _ => new List<double>());
        var failures = 0L;
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var target in targets)
            {
                var run = await MeasureAsync(http, target, options.Clients, TimeSpan.FromSeconds(options.Seconds));
                results[target.Name].Add(run.PerSecond);
                failures += run.Failures;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round={round} {target.Name,-8} requests/s={run.PerSecond:F0} requests={run.Requests} failures={run.Failures} " +
                    $"ms-median={run.MedianMs:F2} ms-p99={run.P99Ms:F2}"));
            }
        }

        var medians = results.ToDictionary(r => r.Key, r => Median(r.Value));
        var ratio = medians["graphql"] / medians["plain"];
        var restMedian = options.Rest ? string.Create(CultureInfo.InvariantCulture, $" rest={medians["rest"]:F0}") : string.Empty;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median requests/s: graphql={medians["graphql"]:F0} plain={medians["plain"]:F0}{restMedian} " +
            $"graphql/plain={ratio:P1} (goal >= 50 %: {(ratio >= 0.5 ? "met" : "NOT met")})"));
        File.Delete(answerFile);
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Registers a deployment of three metrics (the shape of <see cref="VerdictQuery.SampleDeployment"/>) with samples that roll it back.</summary>
    private static async Task SetUpDeploymentAsync(HttpClient http, Uri silo, string id)
    {
        var input = new RegisterDeploymentInput(id, "checkout", "v2",
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase, AllowedChange: 0.2),
            new MetricInput("saturation", MetricKind.Continuous, Direction.Increase, AllowedChange: 0.2),
        ]);
        using (var response = await http.PostAsJsonAsync(new Uri(silo, "v1/deployments"), input, ContractJson.Options))
        {
            response.EnsureSuccessStatusCode();
        }

        var random = new Random(42);
        var lines = new StringBuilder();
        foreach (var (cohort, errors) in new[] { (Cohort.Baseline, 0L), (Cohort.Canary, 30L) })
        {
            lines.AppendLine(System.Text.Json.JsonSerializer.Serialize(
                new SamplesInput(id, cohort, "errors", Count: errors, Total: 10_000), ContractJson.Options));
            foreach (var metric in new[] { "latency", "saturation" })
            {
                var values = Enumerable.Range(0, 2_000).Select(_ => 100 + (random.NextDouble() * 20)).ToList();
                lines.AppendLine(System.Text.Json.JsonSerializer.Serialize(new SamplesInput(id, cohort, metric, values), ContractJson.Options));
            }
        }

        using var samples = await http.PostAsync(new Uri(silo, "v1/samples"), new StringContent(lines.ToString(), Encoding.UTF8, "application/x-ndjson"));
        samples.EnsureSuccessStatusCode();
    }

    private static async Task<Run> MeasureAsync(HttpClient http, Target target, int clients, TimeSpan duration)
    {
        var latencies = new List<double>();
        long requests = 0;
        long failures = 0;
        using var stop = new CancellationTokenSource(duration);
        var stopwatch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var own = new List<double>();
            while (!stop.IsCancellationRequested)
            {
                var started = stopwatch.Elapsed;
                try
                {
                    await target.SendAsync(http, CancellationToken.None);
                    own.Add((stopwatch.Elapsed - started).TotalMilliseconds);
                    Interlocked.Increment(ref requests);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }

            lock (latencies)
            {
                latencies.AddRange(own);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        latencies.Sort();
        return new Run(requests / seconds, requests, failures,
            latencies.Count == 0 ? double.NaN : latencies[latencies.Count / 2],
            latencies.Count == 0 ? double.NaN : latencies[(int)(latencies.Count * 0.99)]);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The plain endpoint as a child process of this benchmark (same binary, <see cref="ServePlain"/>).</summary>
    private static async Task<PlainServer> StartPlainServerAsync(string answerFile)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(GraphQLLoad).Assembly.Location, "graphql-load", ServePlain, answerFile, port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_gcServer"] = "1"; // as the silo (Microsoft.NET.Sdk.Web default)
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ready = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (ready != "ready")
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The plain server did not start (said '{ready}'); is the graphql-load sub-command wired in Program.cs?");
        }

        return new PlainServer(process, port);
    }

    /// <summary>The child: one POST route answering the captured bytes; exits when its standard input closes.</summary>
    private static async Task<int> ServePlainAsync(string answerFile, int port)
    {
        var answer = await File.ReadAllBytesAsync(answerFile);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapPost("/verdict", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        });
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Run(double PerSecond, long Requests, long Failures, double MedianMs, double P99Ms);

    /// <summary>One endpoint under load; every answer must be 200.</summary>
    private sealed record Target(string Name, Uri Uri, HttpMethod Method, byte[]? Body)
    {
        public async Task<string> SendAsync(HttpClient http, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(Method, Uri);
            if (Body is not null)
            {
                request.Content = new ByteArrayContent(Body);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.StatusCode == HttpStatusCode.OK ? text : throw new HttpRequestException($"{Name}: {(int)response.StatusCode} {text}");
        }
    }

    private sealed class PlainServer(Process process, int port) : IDisposable
    {
        public int Port { get; } = port;

        public void Dispose()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    private sealed record Options(string Url, int Seconds, int Clients, int Rounds, int Warmup, bool Rest)
    {
        public static Options Parse(string[] args)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                map[args[i].TrimStart('-')] = args[i + 1];
            }

            int Int(string key, int value) => map.TryGetValue(key, out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : value;
            return new Options(map.GetValueOrDefault("url", "http://127.0.0.1:5080"), Int("seconds", 10), Int("clients", 16), Int("rounds", 3), Int("warmup", 3),
                map.GetValueOrDefault("rest", "true") == "true");
        }
    }
}
