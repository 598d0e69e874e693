namespace Verification.Analysis.Sequential;

/// <summary>
/// Always-valid one-sided tests and confidence bounds for the difference of means Δ = μ_canary − μ_baseline.
/// <para>
/// With Δ̂ the difference of sample means and v = σ²_c/n_c + σ²_b/n_b its variance, Δ̂ is (by the CLT) Gaussian
/// and the likelihood ratio of Δ0 + δ against Δ0 is exp(δ·(Δ̂ − Δ0)/v − δ²/(2v)) — the Gaussian SPRT (Wald 1945,
/// eq. (3)) in the form of the two-sample mSPRT's integrand (Johari, Koomen, Pekelis &amp; Walsh 2022, "Always Valid
/// Inference", Oper. Res. 70(3), §4: the two-stream statistic with Δ̂ and v in place of one stream's mean and
/// variance). Against H0: Δ ≤ Δ0 the statistic is ln Λ⁺(Δ0) = log Σ_j w_j·exp(δ_j·(Δ̂ − Δ0)/v − δ_j²/(2v)), the
/// discrete one-sided mixture of <see cref="ShiftPrior"/> over shifts δ_j = d_j·σ, d_j effect sizes in units of the
/// pooled standard deviation σ (which makes Λ scale-free); E[exp(δ(X − Δ0)/v − δ²/2v)] = exp(δ(Δ − Δ0)/v) ≤ 1 for
/// Δ ≤ Δ0, so Λ⁺ is a supermartingale under the whole null. The mirror image Λ⁻ tests H0: Δ ≥ Δ0. ln Λ⁺ decreases
/// in Δ0, so the lower confidence sequence { Δ0 : Λ⁺ &lt; 1/α } is an interval found by bisection.
/// </para>
/// <para>
/// Validity with estimated variance: the σ² are the running sample variances (plug-in), as Johari et al. do in
/// their deployed two-sample test (§4, "the variance is estimated from the data"); by the CLT and the consistency of
/// the plug-in the statistic's null law converges to the known-variance case, and we keep it honest at small n by
/// not judging before <see cref="MinObservations"/> values per cohort. The A/A simulations in the tests and in
/// <c>bench/</c> measure the resulting false-rollback rate.
/// </para>
/// </summary>
internal static class MeanDifferenceTest
{
    /// <summary>Smallest number of observations per cohort before the test may reject.</summary>
    public const long MinObservations = 30;

    /// <summary>Smallest effect size (Cohen's d) the mixture weighs.</summary>
    public const double SmallestEffect = 0.02;

    /// <summary>Largest effect size (Cohen's d) the mixture weighs.</summary>
    public const double LargestEffect = 2;

    /// <summary>Points of the grid.</summary>
    public const int EffectCount = 24;

    private static readonly ShiftPrior Prior = new(SmallestEffect, LargestEffect, EffectCount);

    public static Evidence Of(in Moments canary, in Moments baseline) =>
        Of(canary.Count, canary.Mean, canary.Variance, baseline.Count, baseline.Mean, baseline.Variance);

    /// <summary>The evidence from summary statistics (sample variances with n − 1 denominators).</summary>
    public static Evidence Of(long canaryCount, double canaryMean, double canaryVariance, long baselineCount, double baselineMean,
        double baselineVariance)
    {
        var estimate = canaryMean - baselineMean;
        if (canaryCount < MinObservations || baselineCount < MinObservations)
        {
            return new Evidence(estimate, 0, 0, Informative: false);
        }

        var v = (canaryVariance / canaryCount) + (baselineVariance / baselineCount);
        var pooled = (((canaryCount - 1) * canaryVariance) + ((baselineCount - 1) * baselineVariance)) / (canaryCount + baselineCount - 2);
        return new Evidence(estimate, v, Math.Sqrt(pooled), Informative: true);
    }

    /// <summary>Both one-sided bounds at level <paramref name="alpha"/> each; the p-value is for "no change" against
    /// either side (twice the smaller one-sided p-value).</summary>
    public static ConfidenceSequence Test(long canaryCount, double canaryMean, double canaryVariance, long baselineCount, double baselineMean,
        double baselineVariance, double alpha)
    {
        var e = Of(canaryCount, canaryMean, canaryVariance, baselineCount, baselineMean, baselineVariance);
        var p = Math.Min(1, 2 * Math.Min(e.PValueAbove(0), e.PValueBelow(0)));
        return new ConfidenceSequence(p, e.Estimate, e.Lower(alpha), e.Upper(alpha));
    }

    /// <summary>Δ̂, its variance v, the pooled standard deviation, and whether enough values arrived to judge.</summary>
    internal readonly record struct Evidence(double Estimate, double Variance, double PooledDeviation, bool Informative)
    {
        /// <summary>ln Λ⁺(Δ0): evidence that Δ exceeds <paramref name="difference"/>.</summary>
        public double LogAbove(double difference) => LogMixture(Estimate - difference);

        /// <summary>ln Λ⁻(Δ0): evidence that Δ is below <paramref name="difference"/>.</summary>
        public double LogBelow(double difference) => LogMixture(difference - Estimate);

        /// <summary>
        /// ln Λ⁻ with half the prior mass moved onto "no change" (Δ = 0), for the promotion test of H0: Δ ≥
        /// <paramref name="difference"/> &gt; 0 (see <see cref="RateRatioTest.Evidence.LogBelowAnchored"/>): the Gaussian
        /// likelihood ratio of Δ = 0 against Δ0 is exp(Δ0·(Δ0 − Δ̂)/v − Δ0²/(2v)).
        /// </summary>
        public double LogBelowAnchored(double difference) => difference <= 0 ? LogBelow(difference) : Anchor(LogBelow(difference), difference);

        /// <summary>The mirror image of <see cref="LogBelowAnchored"/>, for H0: Δ ≤ <paramref name="difference"/> &lt; 0.</summary>
        public double LogAboveAnchored(double difference) => difference >= 0 ? LogAbove(difference) : Anchor(LogAbove(difference), difference);

        /// <summary>Always-valid p-value for H0: Δ ≤ <paramref name="difference"/>.</summary>
        public double PValueAbove(double difference) => Math.Min(1, Math.Exp(-LogAbove(difference)));

        /// <summary>Always-valid p-value for H0: Δ ≥ <paramref name="difference"/>.</summary>
        public double PValueBelow(double difference) => Math.Min(1, Math.Exp(-LogBelow(difference)));

        /// <summary>Lower confidence-sequence bound on Δ at level α, from Λ⁺ (or its anchored form).</summary>
        public double Lower(double alpha, bool anchored = false)
        {
            if (!Informative)
            {
                return double.NegativeInfinity;
            }

            if (Variance <= 0)
            {
                return Estimate;
            }

            var self = this;
            return ShiftPrior.BoundBelow(x => anchored ? self.LogAboveAnchored(x) : self.LogAbove(x), Math.Log(1 / alpha), Estimate,
                Math.Sqrt(Variance), 1e6 * Math.Sqrt(Variance));
        }

        /// <summary>Upper confidence-sequence bound on Δ at level α, from Λ⁻ (or its anchored form): minus the lower bound
        /// of the mirror image (−Δ̂), whose Λ⁺ at −Δ0 is this Λ⁻ at Δ0.</summary>
        public double Upper(double alpha, bool anchored = false) => -(this with { Estimate = -Estimate }).Lower(alpha, anchored);

        private double Anchor(double logMixture, double difference) => !Informative || Variance <= 0 ? logMixture
            : ShiftPrior.LogSumExp([(difference * (difference - Estimate) / Variance) - (difference * difference / (2 * Variance)) - Math.Log(2),
                logMixture - Math.Log(2)]);

        // log Σ w_j exp(δ_j·gap/v − δ_j²/(2v)), gap = how far the estimate lies beyond the null on the tested side.
        private double LogMixture(double gap)
        {
            if (!Informative)
            {
                return 0;
            }

            if (Variance <= 0)
            {
                // Both cohorts constant: the difference is known exactly.
                return gap > 0 ? double.PositiveInfinity : double.NegativeInfinity;
            }

            Span<double> terms = stackalloc double[EffectCount];
            for (var j = 0; j < EffectCount; j++)
            {
                var shift = Prior.Shifts[j] * PooledDeviation;
                terms[j] = Prior.LogWeight + (shift * gap / Variance) - (shift * shift / (2 * Variance));
            }

            return ShiftPrior.LogSumExp(terms);
        }
    }
}
