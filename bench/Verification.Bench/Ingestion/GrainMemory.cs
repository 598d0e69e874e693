using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Cluster;
using Verification.Silo.Telemetry;

namespace Verification.Bench.Ingestion;

/// <summary>
/// Memory per active and per idle deployment grain, in process over a temporary SQLite database: activates N
/// deployments that each hold 2 metrics × 2 cohorts of samples, measures the managed heap (after full GCs),
/// deactivates them all as idle, and measures again.
/// Usage: <c>grain-memory [--grains 2000] [--values 1000]</c> (values per continuous cohort).
/// </summary>
internal static class GrainMemory
{
    /// <summary>Deactivates every activation (what Orleans does with idle ones after CollectionAge); returns how many left.</summary>
    private static async Task<long> DeactivateAllAsync(IGrainFactory grains, SiloMetrics metrics)
    {
        var before = metrics.ActiveGrains;
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromMilliseconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (metrics.ActiveGrains > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return before - metrics.ActiveGrains;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var grains = args.Length > 1 && args[0] == "--grains" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
        var valuesPerCohort = args.Length > 3 && args[2] == "--values" ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1000;
        var directory = Directory.CreateTempSubdirectory("verification-memory-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:ConnectionString"] = $"Data Source={directory}/memory.db",
                ["Cluster:SiloPort"] = "0",
                ["Cluster:GatewayPort"] = "0",
                ["Logging:LogLevel:Default"] = "Warning",
            }).Build();
            using var host = InProcessSilo.Build(configuration);
            await host.StartAsync();
            var runtime = host.Services.GetRequiredService<IGrainFactory>();
            var metrics = host.Services.GetRequiredService<SiloMetrics>();

            var values = Enumerable.Range(0, valuesPerCohort).Select(i => (double)i).ToArray();
            for (var i = 0; i < grains; i++)
            {
                var id = $"mem-{i}";
                var grain = runtime.GetGrain<IDeploymentGrain>(id);
                await grain.RegisterAsync(new RegisterDeploymentInput(id, "svc", "v1",
                    [new MetricInput("errors", MetricKind.Ratio), new MetricInput("latency", MetricKind.Continuous)]), CancellationToken.None);
                await grain.RecordAsync(
                [
                    new SamplesInput(id, Cohort.Baseline, "errors", Count: 1, Total: 100, BatchId: "e-b"),
                    new SamplesInput(id, Cohort.Canary, "errors", Count: 2, Total: 100, BatchId: "e-c"),
                    new SamplesInput(id, Cohort.Baseline, "latency", Values: values, BatchId: "l-b"),
                    new SamplesInput(id, Cohort.Canary, "latency", Values: values, BatchId: "l-c"),
                ], CancellationToken.None);
            }

            await DeactivateAllAsync(runtime, metrics);
            var empty = Heap();

            // Activate every grain again from storage (the state a restarted silo reaches).
            for (var i = 0; i < grains; i++)
            {
                await runtime.GetGrain<IDeploymentGrain>($"mem-{i}").GetAsync(CancellationToken.None);
            }

            var active = Heap();
            var collected = await DeactivateAllAsync(runtime, metrics);
            var idle = Heap();
            await host.StopAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"grains={grains} values/cohort={valuesPerCohort} bytes/active-grain={(active - empty) / (double)grains:F0} " +
                $"bytes/idle-grain={(idle - empty) / (double)grains:F0} deactivated={collected}"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
