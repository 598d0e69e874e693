using MathNet.Numerics.Distributions;
using Verification.Analysis.Canary;
using Verification.Analysis.Sequential;

namespace Verification.Bench.Canary;

/// <summary>One judge in the study, started afresh for every run.</summary>
internal interface IStudyMethod
{
    /// <summary>The table's label.</summary>
    string Name { get; }

    /// <summary>Whether the method can judge the case at all.</summary>
    bool Applies(StudyScenario scenario);

    /// <summary>A judge for one run: takes each slice, answers the decision at that read.</summary>
    Func<StudySlice, TimeSpan, CanaryDecision> Start(StudyScenario scenario);
}

/// <summary>The shipped judge (<see cref="CanaryAnalysis"/>): SEQUENTIAL, or Kayenta-style Mann–Whitney at a confidence level.</summary>
internal sealed class JudgeMethod(
    string name,
    AnalysisMethod method,
    double confidence = MannWhitneyJudge.ConfidenceLevel,
    bool needsPValue = false,
    double meanShare = SequentialJudge.DefaultMeanShare)
    : IStudyMethod
{
    public string Name => name;

    public double Confidence => confidence;

    // Kayenta judges one-minute intervals; reading it every second would change what it judges, not how often.
    public bool Applies(StudyScenario scenario) => method == AnalysisMethod.Sequential || !scenario.ReadEverySecond;

    public Func<StudySlice, TimeSpan, CanaryDecision> Start(StudyScenario scenario)
    {
        var sut = new CanaryAnalysis(scenario.Config(method) with
        {
            MannWhitneyConfidence = confidence,
            MannWhitneyNeedsPValue = needsPValue,
            SequentialMeanShare = meanShare,
        });
        return (slice, elapsed) =>
        {
            if (scenario.Errors is { } errors)
            {
                sut.AddRatio(errors.Name, CohortKind.Baseline, slice.BaselineErrors, slice.BaselineRequests);
                sut.AddRatio(errors.Name, CohortKind.Canary, slice.CanaryErrors, slice.CanaryRequests);
            }

            if (scenario.Latency is { } latency && slice.BaselineValues.Length > 0)
            {
                sut.AddValues(latency.Name, CohortKind.Baseline, slice.BaselineValues);
                sut.AddValues(latency.Name, CohortKind.Canary, slice.CanaryValues);
            }

            return sut.Evaluate(elapsed).Decision;
        };
    }
}

/// <summary>Cumulative counts and moments of a run, for the peers written here.</summary>
internal sealed class RunTotals
{
    public double BaselineErrors { get; private set; }

    public double BaselineRequests { get; private set; }

    public double CanaryErrors { get; private set; }

    public double CanaryRequests { get; private set; }

    private Moments _baseline;
    private Moments _canary;

    public Moments Baseline => _baseline;

    public Moments Canary => _canary;

    public void Add(StudySlice slice)
    {
        BaselineErrors += slice.BaselineErrors;
        BaselineRequests += slice.BaselineRequests;
        CanaryErrors += slice.CanaryErrors;
        CanaryRequests += slice.CanaryRequests;
        foreach (var v in slice.BaselineValues)
        {
            _baseline.Add(v);
        }

        foreach (var v in slice.CanaryValues)
        {
            _canary.Add(v);
        }
    }

    /// <summary>The canary's share of exposure so far.</summary>
    public double Share => CanaryRequests / (CanaryRequests + BaselineRequests);

    /// <summary>Whether both cohorts have enough latency values for a test of means.</summary>
    public bool LatencyReady => Baseline.Count >= MeanDifferenceTest.MinObservations && Canary.Count >= MeanDifferenceTest.MinObservations;

    /// <summary>Variance of the difference of means.</summary>
    public double MeanVariance => (Canary.Variance / Canary.Count) + (Baseline.Variance / Baseline.Count);

    /// <summary>P(canary event | an event) when the rate ratio is <paramref name="ratio"/> at canary share <paramref name="share"/>.</summary>
    public static double Split(double ratio, double share) =>
        double.IsPositiveInfinity(ratio) ? 1 : ratio * share / ((ratio * share) + 1 - share);
}

/// <summary>
/// Wald's SPRT told the true effect (Wald 1945, eq. (3)): the speed no always-valid test can beat. Errors: the
/// log-likelihood ratio of the event split, rate ratio r_true against the rollback null 1 + allowedChange (promotion:
/// r_true against 1 + margin), summed slice by slice with each slice's canary share. Latency: the Gaussian likelihood
/// ratio of the difference of means, true shift against the null, with the plug-in variance. Each metric at α/M.
/// </summary>
internal sealed class OracleMethod : IStudyMethod
{
    public string Name => "oracle SPRT (told the effect)";

    // A heavier tail at equal means has no mean shift to be told.
    public bool Applies(StudyScenario scenario) => scenario.Latency is null || scenario.TrueLatencyShift is not null;

    public Func<StudySlice, TimeSpan, CanaryDecision> Start(StudyScenario scenario)
    {
        var level = Math.Log(scenario.Metrics.Count / StudyScenario.Alpha);
        var totals = new RunTotals();
        var ratio = scenario.BaselineRate == 0 ? double.PositiveInfinity : scenario.CanaryRate / scenario.BaselineRate;
        var errorsAllowed = scenario.Errors?.AllowedChange ?? 0;
        var errorsMargin = scenario.Errors?.Margin ?? CanaryConfig.DefaultNonInferiorityMargin;
        var errorsBad = ratio > 1 + errorsAllowed;
        double errorsEvidence = 0;
        return (slice, _) =>
        {
            totals.Add(slice);
            var share = slice.CanaryRequests / (double)(slice.CanaryRequests + slice.BaselineRequests);
            if (scenario.Errors is not null)
            {
                // The errors' SPRT: against the rollback null when the canary is worse than allowed, else against the margin.
                var theta1 = RunTotals.Split(ratio, share);
                var theta0 = RunTotals.Split(errorsBad ? 1 + errorsAllowed : 1 + errorsMargin, share);
                errorsEvidence += (slice.CanaryErrors * Math.Log(theta1 / theta0))
                    + (slice.BaselineErrors == 0 ? 0 : slice.BaselineErrors * Math.Log((1 - theta1) / (1 - theta0)));
            }

            var latencyBad = false;
            var latencyEvidence = double.PositiveInfinity;
            if (scenario.Latency is { } latency && scenario.TrueLatencyShift is { } shift)
            {
                latencyEvidence = 0;
                if (totals.LatencyReady)
                {
                    var scale = totals.Baseline.Mean;
                    var allowed = (latency.AllowedChange ?? 0) * scale;
                    latencyBad = shift > allowed;
                    var null0 = latencyBad ? allowed : latency.Margin * scale;
                    var step = shift - null0;
                    var v = totals.MeanVariance;
                    latencyEvidence = v > 0 ? (step * (totals.Canary.Mean - totals.Baseline.Mean - null0) / v) - (step * step / (2 * v)) : 0;
                }
            }

            if ((scenario.Errors is not null && errorsBad && errorsEvidence >= level) || (latencyBad && latencyEvidence >= level))
            {
                return CanaryDecision.Rollback;
            }

            var errorsShown = scenario.Errors is null || (!errorsBad && errorsEvidence >= level);
            var latencyShown = scenario.Latency is null || (!latencyBad && latencyEvidence >= level);
            return errorsShown && latencyShown ? CanaryDecision.Promote : CanaryDecision.Pending;
        };
    }
}

/// <summary>
/// A fixed-horizon test: the errors by the exact conditional binomial test of the event split (one-sided, null
/// 1 + allowedChange), the latency by a one-sided z-test of the difference of means; each metric at α/M.
/// Read once at the end of the window (<paramref name="everyLook"/> false: what perfect discipline gives, the
/// reference for power), or at every look as if it were the only one (true: the first look at which a fixed-horizon
/// test would have promoted — no correction, so its rollbacks are not valid at α).
/// </summary>
internal sealed class FixedHorizonMethod(bool everyLook) : IStudyMethod
{
    public string Name => everyLook ? "fixed-horizon test at each look (uncorrected)" : "fixed-horizon test, once at look 60";

    public bool Applies(StudyScenario scenario) => true;

    public Func<StudySlice, TimeSpan, CanaryDecision> Start(StudyScenario scenario)
    {
        var alpha = StudyScenario.Alpha / scenario.Metrics.Count;
        var totals = new RunTotals();
        var reads = 0;
        return (slice, _) =>
        {
            totals.Add(slice);
            reads++;
            var atLook = reads % scenario.ReadsPerLook == 0;
            var last = reads == StudyScenario.Looks * scenario.ReadsPerLook;
            if (!(last || (everyLook && atLook)))
            {
                return CanaryDecision.Pending;
            }

            var (worse, within) = (false, true);
            if (scenario.Errors is { } errors)
            {
                var k = (int)(totals.CanaryErrors + totals.BaselineErrors);
                var x = (int)totals.CanaryErrors;
                var allowed = errors.AllowedChange ?? 0;
                var margin = errors.Margin;
                // P(X ≥ x) under the rollback null and P(X ≤ x) under the promotion null, X ~ Bin(k, θ0).
                worse |= k > 0 && x > 0 && 1 - Binomial.CDF(RunTotals.Split(1 + allowed, totals.Share), k, x - 1) <= alpha;
                within &= k > 0 && Binomial.CDF(RunTotals.Split(1 + margin, totals.Share), k, x) <= alpha;
            }

            if (scenario.Latency is { } latency)
            {
                if (totals.LatencyReady)
                {
                    var scale = totals.Baseline.Mean;
                    var difference = totals.Canary.Mean - totals.Baseline.Mean;
                    var sd = Math.Sqrt(totals.MeanVariance);
                    var critical = Normal.InvCDF(0, 1, 1 - alpha);
                    worse |= (difference - ((latency.AllowedChange ?? 0) * scale)) / sd > critical;
                    within &= (latency.Margin * scale - difference) / sd > critical;
                }
                else
                {
                    within = false;
                }
            }

            return worse ? CanaryDecision.Rollback : within ? CanaryDecision.Promote : last ? CanaryDecision.Inconclusive : CanaryDecision.Pending;
        };
    }
}

/// <summary>
/// The SEQUENTIAL judge before this change, for the error-ratio cases: a two-sided mixture over a N(0, 1) prior on
/// log r (241 grid points on ±6), its confidence sequence found by bisection, rollback when the lower bound clears
/// log(1 + allowedChange), promotion when the upper bound is within log(1 + margin). Kept here only as the "before"
/// peer.
/// </summary>
internal sealed class NormalMixtureMethod : IStudyMethod
{
    private static readonly double[] Grid = Enumerable.Range(0, 241).Select(i => -6 + (12.0 * i / 240)).ToArray();
    private static readonly double[] LogWeights = NormalWeights();

    public string Name => "SEQUENTIAL before (two-sided N(0, 1) mixture)";

    public bool Applies(StudyScenario scenario) => scenario.Latency is null;

    public Func<StudySlice, TimeSpan, CanaryDecision> Start(StudyScenario scenario)
    {
        var totals = new RunTotals();
        var allowed = Math.Log(1 + (scenario.Errors!.AllowedChange ?? 0));
        var margin = Math.Log(1 + scenario.Errors.Margin);
        return (slice, _) =>
        {
            totals.Add(slice);
            double xc = totals.CanaryErrors, k = totals.CanaryErrors + totals.BaselineErrors, s = totals.Share;
            if (k == 0)
            {
                return CanaryDecision.Pending;
            }

            double Drift(double rho) => (xc * rho) - (k * Math.Log((s * Math.Exp(rho)) + 1 - s));
            var terms = new double[Grid.Length];
            for (var i = 0; i < Grid.Length; i++)
            {
                terms[i] = LogWeights[i] + Drift(Grid[i]);
            }

            // Inside the confidence sequence: D(ρ) above log Σ w e^D − log(1/α); D is concave, peaking at the estimate.
            var threshold = ShiftPrior.LogSumExp(terms) - Math.Log(1 / StudyScenario.Alpha);
            if (Drift(allowed) <= threshold && xc * (1 - s) > (k - xc) * s * Math.Exp(allowed))
            {
                return CanaryDecision.Rollback;
            }

            return Drift(margin) <= threshold && xc * (1 - s) < (k - xc) * s * Math.Exp(margin) ? CanaryDecision.Promote : CanaryDecision.Pending;
        };
    }

    private static double[] NormalWeights()
    {
        var weights = Grid.Select(g => -0.5 * g * g).ToArray();
        var total = ShiftPrior.LogSumExp(weights);
        return weights.Select(w => w - total).ToArray();
    }
}
