using BenchmarkDotNet.Running;
using Verification.Bench.Canary;
using Verification.Bench.Ingestion;
using Verification.Bench.Telemetry;

namespace Verification.Bench;

/// <summary>
/// Entry point for all benchmarks and load generators: `dotnet run -c Release --project bench/Verification.Bench -- …`.
/// Sub-commands: `ingest …` (load generator against one or more running silos, see bench/ingest.sh and
/// bench/cluster-ingest.sh), `grain-memory`, `grain-calls` (grain call next to a plain call),
/// `canary-sim` (the canary study: false rollbacks, power and time to decision of SEQUENTIAL, Kayenta-style Mann–Whitney,
/// a fixed-horizon test and the oracle SPRT, with PNG plots),
/// `graphql-load …` (POST /graphql next to a plain endpoint, see bench/graphql.sh), `telemetry …` (OTLP next to Prometheus' remote-write receiver, see bench/telemetry.sh),
/// `long-poll …` (5,000 verdict long-poll waiters on one silo, see bench/longpoll.sh);
/// anything else goes to BenchmarkDotNet (`--filter *`, `--list flat`).
/// </summary>
internal static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "ingest":
                return await IngestionLoad.RunAsync(args[1..]);
            case "grain-memory":
                return await GrainMemory.RunAsync(args[1..]);
            case "grain-calls":
                return await GrainCallOverhead.RunAsync(args[1..]);
            case "canary-sim":
                return CanarySimulation.Run(args[1..]);
            case "graphql-load":
                return await GraphQL.GraphQLLoad.RunAsync(args[1..]);
            case "telemetry":
                return await TelemetryLoad.RunAsync(args[1..]);
            case "long-poll":
                return await LongPoll.LongPollLoad.RunAsync(args[1..]);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
                return 0;
        }
    }
}
