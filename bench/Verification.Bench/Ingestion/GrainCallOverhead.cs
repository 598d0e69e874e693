using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;
using Verification.Silo.Cluster;

namespace Verification.Bench.Ingestion;

/// <summary>
/// What an Orleans grain call costs over a plain method call doing the same work, in one process and one run: a silo
/// in process (temporary SQLite) with one registered deployment; rounds alternate N calls of
/// <see cref="IDeploymentGrain.GetMetricsAsync"/> through Orleans' grain factory (message, scheduling on the
/// activation, copying of the answer) with N calls of the same method on a plain object that answers the same list, by
/// 1 caller and by 8 concurrent callers. Prints the median per call of each and their ratio.
/// Usage: <c>grain-calls [--calls 20000] [--rounds 5]</c>.
/// </summary>
internal static class GrainCallOverhead
{
    public static async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 1 && args[0] == "--calls" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var rounds = args.Length > 3 && args[2] == "--rounds" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        var directory = Directory.CreateTempSubdirectory("verification-calls-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = $"Data Source={directory}/calls.db",
                ["Cluster:SiloPort"] = "0",
                ["Cluster:GatewayPort"] = "0",
                ["Logging:LogLevel:Default"] = "Warning",
            }).Build();
            using var host = InProcessSilo.Build(configuration);
            await host.StartAsync();
            var grain = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IDeploymentGrain>("calls");
            await grain.RegisterAsync(new RegisterDeploymentInput("calls", "svc", "v1",
                [new MetricInput("errors", MetricKind.Ratio), new MetricInput("latency", MetricKind.Continuous)]), CancellationToken.None);
            var plain = new PlainMetrics((await grain.GetMetricsAsync(CancellationToken.None))!);

            foreach (var callers in new[] { 1, 8 })
            {
                var viaOrleans = new List<double>();
                var direct = new List<double>();
                await MeasureAsync(() => grain.GetMetricsAsync(CancellationToken.None), calls / 10, callers); // warm-up
                await MeasureAsync(() => plain.GetMetricsAsync(CancellationToken.None), calls / 10, callers);
                for (var round = 0; round < rounds; round++)
                {
                    viaOrleans.Add(await MeasureAsync(() => grain.GetMetricsAsync(CancellationToken.None), calls, callers));
                    direct.Add(await MeasureAsync(() => plain.GetMetricsAsync(CancellationToken.None), calls, callers));
                }

                var grainUs = Median(viaOrleans);
                var directUs = Median(direct);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"callers={callers} grain-call-us={grainUs:F2} direct-call-us={directUs:F3} grain/direct={grainUs / directUs:F0} " +
                    $"overhead-us={grainUs - directUs:F2} calls/round={calls} rounds={rounds}"));
            }

            await host.StopAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Microseconds per call (wall clock over all callers) of <paramref name="calls"/> calls by <paramref name="callers"/> loops.</summary>
    private static async Task<double> MeasureAsync(Func<Task<IReadOnlyList<MetricDefinition>?>> call, int calls, int callers)
    {
        var each = calls / callers;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                _ = await call().ConfigureAwait(false);
            }
        })));
        return stopwatch.Elapsed.TotalMicroseconds / (each * callers);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }

    /// <summary>The grain method's work without Orleans: answer the stored definitions.</summary>
    private sealed class PlainMetrics(IReadOnlyList<MetricDefinition> definitions)
    {
        public Task<IReadOnlyList<MetricDefinition>?> GetMetricsAsync(CancellationToken cancellationToken) =>
            cancellationToken.IsCancellationRequested ? Task.FromCanceled<IReadOnlyList<MetricDefinition>?>(cancellationToken) : Task.FromResult<IReadOnlyList<MetricDefinition>?>(definitions);
    }
}
