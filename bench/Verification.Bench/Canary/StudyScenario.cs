using Verification.Analysis.Canary;
using Verification.Analysis.Simulation;

namespace Verification.Bench.Canary;

/// <summary>
/// One case of the canary study: an error-ratio metric, a latency metric, or both, each cohort's traffic per
/// one-minute look, the true effect (for the oracle), and how often the verdict is read.
/// </summary>
/// <param name="Family">Row group of the tables ("errors", "latency", "healthy", …).</param>
/// <param name="Name">What the case is.</param>
/// <param name="Errors">The error-ratio metric, or null.</param>
/// <param name="Requests">Requests per cohort per minute.</param>
/// <param name="BaselineRate">Baseline error probability per request.</param>
/// <param name="CanaryRate">Canary error probability per request.</param>
/// <param name="Latency">The latency metric, or null.</param>
/// <param name="Values">Latency values per cohort per minute.</param>
/// <param name="BaselineDraw">Draws a baseline latency.</param>
/// <param name="CanaryDraw">Draws a canary latency.</param>
/// <param name="CanaryTraffic">Canary requests per minute as a share of <paramref name="Requests"/> at a look (1-based); null: equal.</param>
/// <param name="TrueLatencyShift">The canary's true mean latency minus the baseline's (ms), for the oracle; null when the
/// oracle has nothing to be told (equal means).</param>
/// <param name="ReadEverySecond">Data arrive and the verdict is read every second instead of once a minute.</param>
/// <param name="EffectSize">The x value of the power curve (rate ratio or relative latency change); null: not on a curve.</param>
/// <param name="MinDuration">No promotion before this (null: none).</param>
internal sealed record StudyScenario(
    string Family,
    string Name,
    CanaryMetric? Errors = null,
    int Requests = 0,
    double BaselineRate = 0,
    double CanaryRate = 0,
    CanaryMetric? Latency = null,
    int Values = 0,
    Func<Random, double>? BaselineDraw = null,
    Func<Random, double>? CanaryDraw = null,
    Func<int, double>? CanaryTraffic = null,
    double? TrueLatencyShift = null,
    bool ReadEverySecond = false,
    double? EffectSize = null,
    TimeSpan? MinDuration = null)
{
    /// <summary>Looks (minutes) per run.</summary>
    public const int Looks = 60;

    /// <summary>The study's α.</summary>
    public const double Alpha = 0.01;

    /// <summary>Reads per look.</summary>
    public int ReadsPerLook => ReadEverySecond ? 60 : 1;

    /// <summary>Whether the canary is as good as the baseline (A/A): every rollback is a false one.</summary>
    public bool IsAA => CanaryRate == BaselineRate && CanaryDraw == BaselineDraw;

    /// <summary>The metrics, errors first.</summary>
    public IReadOnlyList<CanaryMetric> Metrics => new[] { Errors, Latency }.OfType<CanaryMetric>().ToList();

    /// <summary>The judge's configuration: α 0.01, the window as the maximum duration.</summary>
    public CanaryConfig Config(AnalysisMethod method) =>
        new(Metrics, method, Alpha, MinDuration: MinDuration ?? TimeSpan.Zero, MaxDuration: TimeSpan.FromMinutes(Looks));

    /// <summary>Draws one run's data, one slice per read (a minute, or a second).</summary>
    public StudySlice[] Draw(int seed)
    {
        var random = new Random(seed);
        var reads = ReadsPerLook;
        var slices = new StudySlice[Looks * reads];
        for (var look = 1; look <= Looks; look++)
        {
            var canaryRequests = (int)Math.Round(Requests * (CanaryTraffic?.Invoke(look) ?? 1));
            for (var r = 0; r < reads; r++)
            {
                // Spread a minute's requests and values evenly over its seconds (the remainder to the first ones).
                var baselineShare = Part(Requests, reads, r);
                var canaryShare = Part(canaryRequests, reads, r);
                var values = Part(Values, reads, r);
                slices[((look - 1) * reads) + r] = new StudySlice(
                    Rollout.Binomial(random, baselineShare, BaselineRate),
                    baselineShare,
                    Rollout.Binomial(random, canaryShare, CanaryRate),
                    canaryShare,
                    Latency is null ? [] : Enumerable.Range(0, values).Select(_ => BaselineDraw!(random)).ToArray(),
                    Latency is null ? [] : Enumerable.Range(0, values).Select(_ => CanaryDraw!(random)).ToArray());
            }
        }

        return slices;
    }

    private static int Part(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);
}

/// <summary>The data that arrive between two reads.</summary>
internal sealed record StudySlice(long BaselineErrors, long BaselineRequests, long CanaryErrors, long CanaryRequests,
    double[] BaselineValues, double[] CanaryValues);
