namespace Verification.Analysis.Sequential;

/// <summary>
/// Always-valid test of the difference of means Δ = μ_canary − μ_baseline (two-sample mSPRT with a Gaussian
/// mixture, Johari, Koomen, Pekelis &amp; Walsh 2022, "Always Valid Inference", §3–4; the normal-mixture boundary of
/// Robbins 1970 and Howard et al. 2021 §3.1 and their Example with the Gaussian mixture).
/// <para>
/// With Δ̂ the difference of sample means and v = σ²_c/n_c + σ²_b/n_b its variance, the mixture likelihood ratio
/// for H0: Δ = 0 under the prior Δ ~ N(0, τ²) is
/// Λ = √(v / (v + τ²)) · exp( Δ̂²·τ² / (2·v·(v + τ²)) ),
/// and inverting Λ &lt; 1/α for every null Δ0 gives the confidence sequence
/// Δ̂ ± √( 2·v·(v + τ²)/τ² · ( log(1/α) + ½·log((v + τ²)/v) ) ).
/// </para>
/// <para>
/// Validity with estimated variance: the σ² are the running sample variances (plug-in), as Johari et al. do in
/// their deployed two-sample test (§4, "the variance is estimated from the data"); by the CLT and the consistency of
/// the plug-in the statistic's null law converges to the known-variance case, and we keep it honest at small n by
/// (1) not judging before <see cref="MinObservations"/> values per cohort and (2) τ in units of the pooled
/// standard deviation (τ = <see cref="PriorEffectSize"/>·s), which makes Λ scale-free. The A/A simulations in the
/// tests measure the resulting false-rollback rate.
/// </para>
/// </summary>
internal static class MeanDifferenceTest
{
    /// <summary>Smallest number of observations per cohort before the test may reject.</summary>
    public const long MinObservations = 30;

    /// <summary>Prior s.d. of Δ in units of the pooled standard deviation (Cohen's d ≈ 0.25: a small-to-medium shift).</summary>
    public const double PriorEffectSize = 0.25;

    public static ConfidenceSequence Test(in Moments canary, in Moments baseline, double alpha) =>
        Test(canary.Count, canary.Mean, canary.Variance, baseline.Count, baseline.Mean, baseline.Variance, alpha);

    /// <summary>The test from summary statistics (sample variances with n − 1 denominators).</summary>
    public static ConfidenceSequence Test(long canaryCount, double canaryMean, double canaryVariance, long baselineCount, double baselineMean,
        double baselineVariance, double alpha)
    {
        var estimate = canaryMean - baselineMean;
        if (canaryCount < MinObservations || baselineCount < MinObservations)
        {
            return ConfidenceSequence.Uninformative(estimate);
        }

        var v = (canaryVariance / canaryCount) + (baselineVariance / baselineCount);
        if (v <= 0)
        {
            // Both cohorts constant: the difference is known exactly.
            return new ConfidenceSequence(estimate == 0 ? 1 : 0, estimate, estimate, estimate);
        }

        var pooled = (((canaryCount - 1) * canaryVariance) + ((baselineCount - 1) * baselineVariance)) / (canaryCount + baselineCount - 2);
        var tau2 = PriorEffectSize * PriorEffectSize * pooled;
        var logLambda = (0.5 * Math.Log(v / (v + tau2))) + (estimate * estimate * tau2 / (2 * v * (v + tau2)));
        var pValue = Math.Min(1, Math.Exp(-logLambda));
        var halfWidth = Math.Sqrt(2 * v * (v + tau2) / tau2 * (Math.Log(1 / alpha) + (0.5 * Math.Log((v + tau2) / v))));
        return new ConfidenceSequence(pValue, estimate, estimate - halfWidth, estimate + halfWidth);
    }
}
