using BenchmarkDotNet.Attributes;
using Verification.Analysis.Canary;
using Verification.Analysis.Simulation;

namespace Verification.Bench.Canary;

/// <summary>
/// Cost of judging a deployment with 20 continuous metrics holding 10,000 values per cohort (Evaluate), and of
/// ingesting one 100-value batch (AddValues), for both methods.
/// </summary>
[MemoryDiagnoser]
public class CanaryJudgeBenchmarks
{
    private const int Metrics = 20;
    private const int ValuesPerCohort = 10_000;
    private const int BatchSize = 100;
    private CanaryAnalysis _analysis = null!;
    private double[] _batch = [];

    [Params(AnalysisMethod.Sequential, AnalysisMethod.MannWhitney)]
    public AnalysisMethod Method { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var metrics = Enumerable.Range(0, Metrics)
            .Select(i => new CanaryMetric($"m{i}", MetricKind.Continuous, MetricDirection.Increase))
            .ToList();
        _analysis = new CanaryAnalysis(new CanaryConfig(metrics, Method));
        foreach (var metric in metrics)
        {
            foreach (var cohort in (ReadOnlySpan<CohortKind>)[CohortKind.Baseline, CohortKind.Canary])
            {
                var values = Enumerable.Range(0, ValuesPerCohort).Select(_ => Scenarios.Latency(random)).ToArray();
                _analysis.AddValues(metric.Name, cohort, values);
            }
        }

        _batch = Enumerable.Range(0, BatchSize).Select(_ => Scenarios.Latency(random)).ToArray();
        _analysis.Evaluate(TimeSpan.FromMinutes(10));
    }

    [Benchmark]
    public CanaryVerdict Evaluate() => _analysis.Evaluate(TimeSpan.FromMinutes(10));

    [Benchmark]
    public void AddValues() => _analysis.AddValues("m0", CohortKind.Canary, _batch);
}
