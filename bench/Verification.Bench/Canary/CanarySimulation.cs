using System.Diagnostics;
using System.Globalization;
using Verification.Analysis.Canary;
using Verification.Analysis.Simulation;

namespace Verification.Bench.Canary;

/// <summary>
/// `canary-sim`: the simulation tests' rollouts at larger scale, judged side by side by the always-valid
/// Sequential method and by a Kayenta-style Mann–Whitney judge re-run at every look without correction. Reports,
/// per case, how often each method rolled back or promoted and the median looks (= minutes, one batch a minute)
/// until it rolled back. Options: <c>--runs N</c> (default 1000; heavy cases use N/5), <c>--seed S</c>.
/// </summary>
public static class CanarySimulation
{
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var runs = Option(args, "--runs", 1000);
        var seed = Option(args, "--seed", 1);
        if (runs < 1)
        {
            Console.Error.WriteLine("--runs must be at least 1");
            return 2;
        }

        (RolloutScenario Scenario, int Runs, bool StopOnPromote)[] cases =
        [
            (Scenarios.AA(batches: 60, requestsPerBatch: 500, valuesPerBatch: 100, alpha: 0.01), runs, false),
            (Scenarios.AA(batches: 60, requestsPerBatch: 500, valuesPerBatch: 100, alpha: 0.05), runs, false),
            (Scenarios.AATrafficRamp(batches: 60, requestsPerBatch: 2000, alpha: 0.05), runs, false),
            (Scenarios.ErrorRateDoubles(batches: 60, requestsPerBatch: 500, alpha: 0.01), runs, true),
            (Scenarios.ZeroErrorBaseline(batches: 60, requestsPerBatch: 1000, canaryRate: 0.002, alpha: 0.01), runs, true),
            (Scenarios.HeavierTail(batches: 60, valuesPerBatch: 1000, alpha: 0.01, minBatches: 30), Math.Max(1, runs / 5), true),
            (Scenarios.Healthy(batches: 120, alpha: 0.01), Math.Max(1, runs / 5), true),
        ];

        Console.WriteLine("| case | α | method | runs | rollback | promote | median looks to rollback | median looks to promote | wall s |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (scenario, caseRuns, stopOnPromote) in cases)
        {
            foreach (var method in (ReadOnlySpan<AnalysisMethod>)[AnalysisMethod.Sequential, AnalysisMethod.MannWhitney])
            {
                var clock = Stopwatch.StartNew();
                var outcomes = Enumerable.Range(seed, caseRuns).Select(s => Rollout.Run(scenario, method, s, stopOnPromote)).ToList();
                var rollbacks = outcomes.Where(o => o.Decision == CanaryDecision.Rollback).Select(o => o.Looks).ToList();
                var promotes = outcomes.Where(o => o.Decision == CanaryDecision.Promote).Select(o => o.Looks).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {scenario.Name} | {scenario.Alpha} | {Label(method)} | {caseRuns} | {Rate(rollbacks.Count, caseRuns)} | {Rate(promotes.Count, caseRuns)} | {Median(rollbacks)} | {Median(promotes)} | {clock.Elapsed.TotalSeconds:0.0} |"));
            }
        }

        return 0;
    }

    private static string Label(AnalysisMethod method) =>
        method == AnalysisMethod.Sequential ? "SEQUENTIAL" : "MANN_WHITNEY (every look)";

    private static string Rate(int count, int runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / runs:0.0} % ({count})");

    private static string Median(List<int> looks)
    {
        if (looks.Count == 0)
        {
            return "–";
        }

        looks.Sort();
        return looks[looks.Count / 2].ToString(CultureInfo.InvariantCulture);
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}
