using Verification.Analysis.Canary;

namespace Verification.Analysis.Simulation;

/// <summary>How one metric's samples are generated per batch and cohort.</summary>
/// <param name="Metric">The metric's configuration.</param>
/// <param name="PerBatch">Requests (ratio) or values (continuous) per cohort per batch.</param>
/// <param name="BaselineRate">Ratio: baseline event probability per request.</param>
/// <param name="CanaryRate">Ratio: canary event probability per request.</param>
/// <param name="Baseline">Continuous: draws one baseline value.</param>
/// <param name="Canary">Continuous: draws one canary value.</param>
/// <param name="CanaryTraffic">Ratio: the canary's requests per batch as a fraction of <paramref name="PerBatch"/> at a given
/// look (1-based), e.g. a progressive ramp; null for equal traffic.</param>
internal sealed record SimulatedMetric(
    CanaryMetric Metric,
    int PerBatch,
    double BaselineRate = 0,
    double CanaryRate = 0,
    Func<Random, double>? Baseline = null,
    Func<Random, double>? Canary = null,
    Func<int, double>? CanaryTraffic = null);

/// <summary>A rollout: metrics, how many batches arrive, how far apart, and the analysis settings.</summary>
internal sealed record RolloutScenario(
    string Name,
    IReadOnlyList<SimulatedMetric> Metrics,
    int Batches,
    TimeSpan BatchInterval,
    double Alpha = CanaryConfig.DefaultAlpha,
    TimeSpan? MinDuration = null,
    TimeSpan? MaxDuration = null)
{
    public CanaryConfig Config(AnalysisMethod method) =>
        new(Metrics.Select(m => m.Metric).ToList(), method, Alpha, MinDuration, MaxDuration);
}

/// <summary>How a simulated rollout ended: the first Rollback or Promote a CD tool polling after every batch would act on.</summary>
/// <param name="Decision">Rollback, Promote, or the decision at the last look.</param>
/// <param name="Looks">Batches (= looks) until the decision.</param>
/// <param name="Elapsed">Simulated time until the decision.</param>
internal readonly record struct RolloutOutcome(CanaryDecision Decision, int Looks, TimeSpan Elapsed);

/// <summary>
/// Seeded rollout simulator shared by the simulation tests and the bench: feeds one batch per metric and cohort,
/// reads the verdict after every batch, stops at the first Rollback (or Promote, unless told to read on).
/// </summary>
internal static class Rollout
{
    /// <param name="scenario">What to simulate.</param>
    /// <param name="method">How to judge.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="stopOnPromote">False to keep reading after a Promote (A/A runs count a rollback at any of the looks).</param>
    public static RolloutOutcome Run(RolloutScenario scenario, AnalysisMethod method, int seed, bool stopOnPromote = true)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var random = new Random(seed);
        var sut = new CanaryAnalysis(scenario.Config(method));
        var buffer = new double[scenario.Metrics.Max(m => m.PerBatch)];
        CanaryVerdict? verdict = null;
        for (var look = 1; look <= scenario.Batches; look++)
        {
            foreach (var m in scenario.Metrics)
            {
                foreach (var cohort in (ReadOnlySpan<CohortKind>)[CohortKind.Baseline, CohortKind.Canary])
                {
                    if (m.Metric.Kind == MetricKind.Ratio)
                    {
                        var (rate, requests) = cohort == CohortKind.Baseline
                            ? (m.BaselineRate, m.PerBatch)
                            : (m.CanaryRate, (int)Math.Round(m.PerBatch * (m.CanaryTraffic?.Invoke(look) ?? 1)));
                        sut.AddRatio(m.Metric.Name, cohort, Binomial(random, requests, rate), requests);
                    }
                    else
                    {
                        var draw = (cohort == CohortKind.Baseline ? m.Baseline : m.Canary)
                            ?? throw new InvalidOperationException($"metric '{m.Metric.Name}' has no sampler");
                        for (var i = 0; i < m.PerBatch; i++)
                        {
                            buffer[i] = draw(random);
                        }

                        sut.AddValues(m.Metric.Name, cohort, buffer.AsSpan(0, m.PerBatch));
                    }
                }
            }

            var elapsed = scenario.BatchInterval * look;
            verdict = sut.Evaluate(elapsed);
            if (verdict.Decision == CanaryDecision.Rollback || (stopOnPromote && verdict.Decision == CanaryDecision.Promote))
            {
                return new RolloutOutcome(verdict.Decision, look, elapsed);
            }
        }

        return new RolloutOutcome(verdict?.Decision ?? CanaryDecision.Pending, scenario.Batches, scenario.BatchInterval * scenario.Batches);
    }

    /// <summary>Binomial(n, p) by inversion of the CDF: O(n·p) expected steps, fine for the rare events simulated here.</summary>
    public static long Binomial(Random random, int n, double p)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return n;
        }

        var u = random.NextDouble();
        var probability = Math.Pow(1 - p, n);
        var cumulative = probability;
        var k = 0;
        var odds = p / (1 - p);
        while (u > cumulative && k < n)
        {
            probability *= (n - k) * odds / (k + 1);
            k++;
            cumulative += probability;
        }

        return k;
    }

    /// <summary>Standard normal draw (Box–Muller).</summary>
    public static double Normal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
