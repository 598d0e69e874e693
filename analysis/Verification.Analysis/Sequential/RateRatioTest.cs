namespace Verification.Analysis.Sequential;

/// <summary>
/// Always-valid one-sided tests and confidence bounds for the event-rate ratio r = λ_canary / λ_baseline from
/// cumulative counts, judged on the counts themselves (never on per-interval ratios, which break down with zero or
/// sparse baselines).
/// <para>
/// Model. With event counts Poisson in exposure (requests), conditional on the total number of events k, each event
/// comes from the canary independently with probability θ(ρ) = s·e^ρ / (s·e^ρ + 1 − s), ρ = log r, s = canary share of
/// exposure (the Poisson-split argument; exact for Poisson counts, and for binomial counts with rare events). The log
/// likelihood of the split is D(ρ) = x_c·ρ − k·log(s·e^ρ + 1 − s) up to a constant; θ(ρ) increases with ρ, so the
/// Bernoulli family has a monotone likelihood ratio in x_c.
/// </para>
/// <para>
/// Tests. Against H0: ρ ≤ ρ0 ("the canary is at most r0 times the baseline") the statistic is the discrete
/// one-sided mixture (<see cref="ShiftPrior"/>) ln Λ⁺_t(ρ0) = log Σ_j w_j·exp(D(ρ0 + ln g_j) − D(ρ0)), each term the
/// SPRT of r0 against r0·g_j (Wald 1945, eq. (3)); against H0: ρ ≥ ρ0 the mirror image Λ⁻ with ρ0 − ln g_j.
/// P(∃t: Λ⁺_t(ρ0) ≥ 1/α) ≤ α under every ρ ≤ ρ0 (Ville's inequality; see <see cref="ShiftPrior"/>). Traffic volume may
/// change freely; s is taken from the cumulative exposures, exact while the canary's share of traffic is steady and
/// an approximation when it drifts. With a zero-error baseline (x_b = 0) Λ⁺ still grows with every canary event.
/// </para>
/// <para>
/// Bounds. d/dρ0 [D(ρ0 + g) − D(ρ0)] = −k·(θ(ρ0 + g) − θ(ρ0)) &lt; 0, so ln Λ⁺_t(ρ0) decreases in ρ0 and
/// { ρ0 : Λ⁺_t(ρ0) &lt; 1/α } = (L_t, ∞) is a lower confidence sequence for ρ (Howard et al. 2021, Ann. Statist. 49(2),
/// §3, inverting a family of tests), found by bisection; likewise the upper bound U_t from Λ⁻. −∞/+∞ where the data
/// cannot bound ρ (no canary events: no lower bound; no baseline events: no upper bound).
/// </para>
/// </summary>
internal static class RateRatioTest
{
    /// <summary>Smallest rate ratio (relative to the null) the mixture weighs: +5 %.</summary>
    public const double SmallestShift = 1.05;

    /// <summary>Largest rate ratio the mixture weighs: ×4. Larger regressions are caught anyway (evidence grows by
    /// ln(8/5) nats per canary event against ×4 at s = ½) and mass spent beyond slows the common cases down.</summary>
    public const double LargestShift = 4;

    /// <summary>Points of the grid.</summary>
    public const int ShiftCount = 24;

    private const double SearchRange = 60;

    private static readonly ShiftPrior Prior = new(SmallestShift, LargestShift, ShiftCount);
    private static readonly double[] LogShifts = Prior.Shifts.Select(s => Math.Log(s)).ToArray();

    /// <summary>Counts and shares the tests need, from cumulative counts and exposures.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An exposure is not positive.</exception>
    public static Evidence Of(long canaryCount, long canaryExposure, long baselineCount, long baselineExposure)
    {
        if (canaryExposure <= 0 || baselineExposure <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryExposure), "both exposures must be positive");
        }

        return new Evidence(canaryCount, baselineCount, canaryExposure / (double)(canaryExposure + baselineExposure));
    }

    /// <summary>Both one-sided bounds at level <paramref name="alpha"/> each, on log r; the p-value is for "no change"
    /// against either side (twice the smaller one-sided p-value).</summary>
    public static ConfidenceSequence Test(long canaryCount, long canaryExposure, long baselineCount, long baselineExposure, double alpha)
    {
        var e = Of(canaryCount, canaryExposure, baselineCount, baselineExposure);
        var p = Math.Min(1, 2 * Math.Min(e.PValueAbove(0), e.PValueBelow(0)));
        return new ConfidenceSequence(p, e.Estimate, e.Lower(alpha), e.Upper(alpha));
    }

    /// <summary>The sufficient statistics: canary events, baseline events, the canary's share of exposure.</summary>
    internal readonly record struct Evidence(double CanaryEvents, double BaselineEvents, double Share)
    {
        private readonly double _logShare = Math.Log(Share);
        private readonly double _logRest = Math.Log(1 - Share);

        private double Events => CanaryEvents + BaselineEvents;

        /// <summary>Maximum-likelihood log r; ±∞ when one cohort has no events, 0 when neither has.</summary>
        public double Estimate => CanaryEvents == 0 && BaselineEvents == 0 ? 0
            : BaselineEvents == 0 ? double.PositiveInfinity
            : CanaryEvents == 0 ? double.NegativeInfinity
            : Math.Log(CanaryEvents * (1 - Share) / (BaselineEvents * Share));

        /// <summary>ln Λ⁺(ρ0): evidence that log r exceeds <paramref name="logRatio"/>.</summary>
        public double LogAbove(double logRatio) => LogMixture(logRatio, 1);

        /// <summary>ln Λ⁻(ρ0): evidence that log r is below <paramref name="logRatio"/>.</summary>
        public double LogBelow(double logRatio) => LogMixture(logRatio, -1);

        /// <summary>
        /// ln Λ⁻ with half the prior mass moved onto "no change" (r = 1), for the promotion test of H0: log r ≥
        /// <paramref name="logRatio"/> &gt; 0: Λ = ½·L(0)/L(ρ0) + ½·Λ⁻(ρ0). A healthy canary is one with r = 1, so the
        /// test of "at least the margin worse" gathers evidence at the oracle SPRT's pace less ln 2 nats; still a mixture
        /// of likelihood ratios against ρ0 with alternatives below it, so Ville's inequality applies as before.
        /// </summary>
        public double LogBelowAnchored(double logRatio) => logRatio <= 0 ? LogBelow(logRatio)
            : Anchor(LogBelow(logRatio), Drift(0) - Drift(logRatio));

        /// <summary>The mirror image of <see cref="LogBelowAnchored"/>, for H0: log r ≤ <paramref name="logRatio"/> &lt; 0.</summary>
        public double LogAboveAnchored(double logRatio) => logRatio >= 0 ? LogAbove(logRatio)
            : Anchor(LogAbove(logRatio), Drift(0) - Drift(logRatio));

        /// <summary>Always-valid p-value for H0: log r ≤ <paramref name="logRatio"/>.</summary>
        public double PValueAbove(double logRatio) => Math.Min(1, Math.Exp(-LogAbove(logRatio)));

        /// <summary>Always-valid p-value for H0: log r ≥ <paramref name="logRatio"/>.</summary>
        public double PValueBelow(double logRatio) => Math.Min(1, Math.Exp(-LogBelow(logRatio)));

        /// <summary>Lower confidence-sequence bound on log r at level α, from Λ⁺ (or its anchored form).</summary>
        public double Lower(double alpha, bool anchored = false)
        {
            if (CanaryEvents == 0)
            {
                return double.NegativeInfinity;
            }

            var self = this;
            return ShiftPrior.BoundBelow(x => anchored ? self.LogAboveAnchored(x) : self.LogAbove(x), Math.Log(1 / alpha), Start(), Step(), SearchRange);
        }

        /// <summary>Upper confidence-sequence bound on log r at level α, from Λ⁻ (or its anchored form): minus the lower
        /// bound of the mirror image (cohorts swapped, share 1 − s), whose D at −ρ is this D at ρ.</summary>
        public double Upper(double alpha, bool anchored = false) =>
            -new Evidence(BaselineEvents, CanaryEvents, 1 - Share).Lower(alpha, anchored);

        // The estimate, where ln Λ± ≤ 0 (D peaks there); kept finite when a cohort has no events.
        private double Start() => Math.Clamp(Estimate, -SearchRange / 2, SearchRange / 2);

        // About one standard error of log r.
        private double Step() => 1 / Math.Sqrt(Math.Max(1, Events));

        private static double Anchor(double logMixture, double logRatioAtAnchor) =>
            ShiftPrior.LogSumExp([logRatioAtAnchor - Math.Log(2), logMixture - Math.Log(2)]);

        // D(ρ) = x_c·ρ − k·log(s·e^ρ + 1 − s).
        private double Drift(double logRatio) => (CanaryEvents * logRatio) - (Events * LogShareMix(logRatio));

        private double LogMixture(double logRatio, int side)
        {
            var k = Events;
            var baseTerm = LogShareMix(logRatio);
            Span<double> terms = stackalloc double[ShiftCount];
            for (var j = 0; j < ShiftCount; j++)
            {
                var shift = side * LogShifts[j];
                terms[j] = Prior.LogWeight + (CanaryEvents * shift) - (k * (LogShareMix(logRatio + shift) - baseTerm));
            }

            return ShiftPrior.LogSumExp(terms);
        }

        // log(s·e^ρ + 1 − s), without overflow for large |ρ|.
        private double LogShareMix(double logRatio)
        {
            var a = _logShare + logRatio;
            var b = _logRest;
            var max = Math.Max(a, b);
            return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
        }
    }
}
