using Verification.Analysis.Canary;

namespace Verification.Analysis.Simulation;

/// <summary>The rollouts the simulation tests and the bench both run (the bench at larger scale).</summary>
internal static class Scenarios
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>Log-normal latency around a 100 ms median, σ = 0.3 on the log scale.</summary>
    public static double Latency(Random random) => 100 * Math.Exp(0.3 * Rollout.Normal(random));

    /// <summary>Baseline and canary identical: an error ratio (1 %, direction Increase) and a latency (direction Either).</summary>
    public static RolloutScenario AA(int batches, int requestsPerBatch, int valuesPerBatch, double alpha) => new(
        "A/A",
        [
            new SimulatedMetric(new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true), requestsPerBatch, 0.01, 0.01),
            new SimulatedMetric(new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Either), valuesPerBatch,
                Baseline: Latency, Canary: Latency),
        ],
        batches,
        Minute,
        alpha);

    /// <summary>
    /// Equal error rates (1 %) while the canary's traffic ramps as progressive delivery does: 5 % of the baseline's
    /// requests at first, stepping up every 10 batches to 100 %, so its share of exposure drifts throughout.
    /// </summary>
    public static RolloutScenario AATrafficRamp(int batches, int requestsPerBatch, double alpha) => new(
        "A/A, canary traffic ramping 5 % -> 100 %",
        [
            new SimulatedMetric(new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Either), requestsPerBatch, 0.01, 0.01,
                CanaryTraffic: look => Math.Min(1, 0.05 + (0.19 * ((look - 1) / 10)))),
        ],
        batches,
        Minute,
        alpha);

    /// <summary>The canary's error rate doubles (1 % → 2 %), critical, direction Increase.</summary>
    public static RolloutScenario ErrorRateDoubles(int batches, int requestsPerBatch, double alpha) => new(
        "errors 1 % -> 2 %",
        [new SimulatedMetric(new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true), requestsPerBatch, 0.01, 0.02)],
        batches,
        Minute,
        alpha);

    /// <summary>The baseline has no errors at all; the canary fails <paramref name="canaryRate"/> of its requests. Critical, direction Increase.</summary>
    public static RolloutScenario ZeroErrorBaseline(int batches, int requestsPerBatch, double canaryRate, double alpha) => new(
        "zero-error baseline vs canary errors",
        [new SimulatedMetric(new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true), requestsPerBatch, 0, canaryRate)],
        batches,
        Minute,
        alpha);

    /// <summary>
    /// Equal mean and median, heavier canary tails: baseline N(100, 10²); canary 90 % N(100, 7²) + 10 % N(100, 25²)
    /// (same centre and median, s.d. 10.3, but about 1.8× as many values beyond the baseline's 99th percentile). Direction Increase.
    /// </summary>
    public static RolloutScenario HeavierTail(int batches, int valuesPerBatch, double alpha, int minBatches) => new(
        "heavier latency tail, equal median",
        [
            new SimulatedMetric(new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Increase), valuesPerBatch,
                Baseline: r => 100 + (10 * Rollout.Normal(r)),
                Canary: r => 100 + ((r.NextDouble() < 0.1 ? 25 : 7) * Rollout.Normal(r))),
        ],
        batches,
        Minute,
        alpha,
        MinDuration: minBatches * Minute);

    /// <summary>A healthy canary with plenty of traffic: errors at 1 % of 10,000 requests per batch, latency unchanged.</summary>
    public static RolloutScenario Healthy(int batches, double alpha) => new(
        "healthy, plenty of traffic",
        [
            new SimulatedMetric(new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true), 10_000, 0.01, 0.01),
            new SimulatedMetric(new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Increase), 200,
                Baseline: Latency, Canary: Latency),
        ],
        batches,
        Minute,
        alpha,
        MinDuration: 10 * Minute,
        MaxDuration: batches * Minute);
}
