using Verification.Analysis.Canary;
using Verification.Analysis.Simulation;

namespace Verification.Analysis.Tests.Simulation;

/// <summary>
/// Seeded rollouts read after every batch, the way CD tools poll. Bounds allow for simulation error: an observed
/// rate is within 3 binomial standard errors of its target.
/// </summary>
public sealed class SimulationTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.05)]
    public void Run_AAReadAfterEveryBatch_FalseRollbackRateWithinAlpha(double alpha)
    {
        const int Runs = 300;
        var scenario = Scenarios.AA(batches: 40, requestsPerBatch: 500, valuesPerBatch: 100, alpha);

        var rollbacks = Enumerable.Range(0, Runs)
            .Count(seed => Rollout.Run(scenario, AnalysisMethod.Sequential, seed, stopOnPromote: false).Decision == CanaryDecision.Rollback);

        var bound = alpha + (3 * Math.Sqrt(alpha * (1 - alpha) / Runs));
        Assert.True(rollbacks / (double)Runs <= bound, $"{rollbacks} false rollbacks in {Runs} A/A runs exceed {bound:P1}");
    }

    [Fact]
    public void Run_AAWithCanaryTrafficRamping_FalseRollbackRateWithinAlpha()
    {
        const int Runs = 300;
        const double Alpha = 0.05;
        var scenario = Scenarios.AATrafficRamp(batches: 60, requestsPerBatch: 2000, Alpha);

        var rollbacks = Enumerable.Range(0, Runs)
            .Count(seed => Rollout.Run(scenario, AnalysisMethod.Sequential, seed, stopOnPromote: false).Decision == CanaryDecision.Rollback);

        var bound = Alpha + (3 * Math.Sqrt(Alpha * (1 - Alpha) / Runs));
        Assert.True(rollbacks / (double)Runs <= bound, $"{rollbacks} false rollbacks in {Runs} ramped A/A runs exceed {bound:P1}");
    }

    /// <summary>The contrast the sequential method exists for: Kayenta's fixed-horizon judge re-run at every look.</summary>
    [Fact]
    public void Run_AAMannWhitneyReadAfterEveryBatch_FalseRollbackRateAboveTwoPercent()
    {
        const int Runs = 100;
        var scenario = Scenarios.AA(batches: 40, requestsPerBatch: 500, valuesPerBatch: 100, alpha: 0.01);

        var rollbacks = Enumerable.Range(0, Runs)
            .Count(seed => Rollout.Run(scenario, AnalysisMethod.MannWhitney, seed, stopOnPromote: false).Decision == CanaryDecision.Rollback);

        // A single look at 98 % confidence would roll back about 2 % of A/A runs per metric; 40 looks do far worse.
        Assert.True(rollbacks > 0.02 * Runs, $"{rollbacks} false rollbacks in {Runs} runs");
    }

    [Fact]
    public void Run_ErrorRateDoublesAt500RequestsPerBatch_RollbackInAtLeast95PercentOfRuns()
    {
        const int Runs = 200;
        var scenario = Scenarios.ErrorRateDoubles(batches: 60, requestsPerBatch: 500, alpha: 0.01);

        var outcomes = Enumerable.Range(0, Runs).Select(seed => Rollout.Run(scenario, AnalysisMethod.Sequential, seed)).ToList();

        var rollbacks = outcomes.Count(o => o.Decision == CanaryDecision.Rollback);
        Assert.True(rollbacks >= 0.95 * Runs, $"only {rollbacks} of {Runs} runs rolled back");
        Assert.DoesNotContain(outcomes, o => o.Decision == CanaryDecision.Promote);
    }

    [Fact]
    public void Run_HeavierLatencyTailAtEqualMedian_Rollback()
    {
        const int Runs = 20;
        var scenario = Scenarios.HeavierTail(batches: 60, valuesPerBatch: 1000, alpha: 0.01, minBatches: 30);

        var outcomes = Enumerable.Range(0, Runs).Select(seed => Rollout.Run(scenario, AnalysisMethod.Sequential, seed)).ToList();

        Assert.All(outcomes, o => Assert.Equal(CanaryDecision.Rollback, o.Decision));
    }

    [Fact]
    public void Run_HealthyCanaryWithPlentyOfTraffic_Promote()
    {
        const int Runs = 20;
        var scenario = Scenarios.Healthy(batches: 120, alpha: 0.01);

        var outcomes = Enumerable.Range(0, Runs).Select(seed => Rollout.Run(scenario, AnalysisMethod.Sequential, seed)).ToList();

        Assert.All(outcomes, o => Assert.Equal(CanaryDecision.Promote, o.Decision));
        Assert.All(outcomes, o => Assert.True(o.Looks >= 10, "promoted before the minimum duration"));
    }

    [Fact]
    public void Binomial_ManyDraws_MeanAndVarianceMatch()
    {
        var random = new Random(3);

        var draws = Enumerable.Range(0, 20_000).Select(_ => (double)Rollout.Binomial(random, 500, 0.02)).ToList();

        var mean = draws.Average();
        var variance = draws.Sum(d => (d - mean) * (d - mean)) / (draws.Count - 1);
        Assert.InRange(mean, 10 - (3 * Math.Sqrt(9.8 / 20_000)), 10 + (3 * Math.Sqrt(9.8 / 20_000)));
        Assert.InRange(variance, 9.8 * 0.95, 9.8 * 1.05);
    }
}
