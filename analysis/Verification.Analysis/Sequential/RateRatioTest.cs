namespace Verification.Analysis.Sequential;

/// <summary>
/// Always-valid test of the event-rate ratio r = λ_canary / λ_baseline from cumulative counts, judged on the
/// counts themselves (never on per-interval ratios, which break down with zero or sparse baselines).
/// <para>
/// Model. With event counts Poisson in exposure (requests), conditional on the total number of events k, each event
/// comes from the canary independently with probability θ(r) = r·s / (r·s + 1 − s), s = canary share of exposure
/// (the Poisson-split argument; exact for Poisson counts, and for binomial counts with rare events). Under
/// H0: r = 1 the events' origins are Bernoulli(s) trials, so the mixture likelihood ratio
/// Λ_k = ∫ Π θ(r)^{x}(1−θ(r))^{k−x} / (s^x (1−s)^{k−x}) dπ(log r) is a non-negative martingale in event time with
/// mean 1 (Robbins 1970 mixture; Johari et al. 2022 §3, the mSPRT), and P(∃k: Λ_k ≥ 1/α) ≤ α (Ville's inequality).
/// Traffic volume may change freely; the share s is taken from the cumulative exposures, which is exact while the
/// canary's share of traffic is steady and an approximation when it drifts.
/// </para>
/// <para>
/// Prior. π is N(0, τ²) on log r with τ = 1 (a doubling is 0.69 prior s.d.), discretised on a fine grid of log r;
/// a discrete prior is itself a prior, so nothing is lost to the discretisation. It stays valid with a zero-error
/// baseline (x_b = 0): Λ then grows with every canary event.
/// </para>
/// <para>
/// Confidence sequence. Inverting the same mixture against every null r0 (Howard et al. 2021 §3; Johari et al.
/// §3.3): CS_t = { r0 : ℓ(r0) &gt; log ∫ e^{ℓ} dπ − log(1/α) }, where ℓ is the log likelihood of the split; ℓ is
/// concave in log r, so the set is an interval found by bisection. Bounds are ±∞ where the data cannot bound r
/// (no baseline events: no upper bound).
/// </para>
/// </summary>
internal static class RateRatioTest
{
    /// <summary>Prior s.d. of log r.</summary>
    public const double PriorScale = 1.0;

    private const double GridHalfWidth = 6 * PriorScale;
    private const int GridPoints = 241;
    private const double BisectionRange = 50;
    private const double BisectionTolerance = 1e-8;
    private static readonly double[] LogRatioGrid = BuildGrid();
    private static readonly double[] RatioGrid = LogRatioGrid.Select(Math.Exp).ToArray();
    private static readonly double[] LogPriorWeights = BuildLogWeights();

    /// <summary>Tests canary count/exposure against baseline count/exposure at level <paramref name="alpha"/>; bounds and estimate on log r.</summary>
    public static ConfidenceSequence Test(long canaryCount, long canaryExposure, long baselineCount, long baselineExposure, double alpha)
    {
        if (canaryExposure <= 0 || baselineExposure <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(canaryExposure), "both exposures must be positive");
        }

        double xc = canaryCount, xb = baselineCount;
        var share = canaryExposure / (double)(canaryExposure + baselineExposure);
        var estimate = xc == 0 && xb == 0 ? 0
            : xb == 0 ? double.PositiveInfinity
            : xc == 0 ? double.NegativeInfinity
            : Math.Log(xc * (1 - share) / (xb * share));
        if (xc + xb == 0)
        {
            return ConfidenceSequence.Uninformative(estimate);
        }

        // D(ρ) = ℓ(ρ) − ℓ(0) = x_c·ρ − k·log(s·e^ρ + 1 − s).
        double Drift(double logRatio) => (xc * logRatio) - ((xc + xb) * LogShareMix(share, logRatio));

        // log Σ w_i e^{D(ρ_i)} by log-sum-exp: one log and one exp per grid point.
        Span<double> terms = stackalloc double[GridPoints];
        var largest = double.NegativeInfinity;
        for (var i = 0; i < GridPoints; i++)
        {
            terms[i] = LogPriorWeights[i] + (xc * LogRatioGrid[i]) - ((xc + xb) * Math.Log((share * RatioGrid[i]) + 1 - share));
            largest = Math.Max(largest, terms[i]);
        }

        var scaled = 0.0;
        foreach (var term in terms)
        {
            scaled += Math.Exp(term - largest);
        }

        var logMixture = largest + Math.Log(scaled);

        var pValue = Math.Min(1, Math.Exp(-logMixture));
        var threshold = logMixture - Math.Log(1 / alpha);
        var peak = double.IsFinite(estimate) ? estimate : Math.Sign(estimate) * BisectionRange;
        var low = Boundary(Drift, threshold, peak, peak - BisectionRange);
        var high = Boundary(Drift, threshold, peak, peak + BisectionRange);
        return new ConfidenceSequence(pValue, estimate, low, high);
    }

    /// <summary>log(s·e^ρ + 1 − s), computed without overflow for large |ρ|.</summary>
    private static double LogShareMix(double share, double logRatio) =>
        LogAdd(Math.Log(share) + logRatio, Math.Log(1 - share));

    /// <summary>The point between <paramref name="inside"/> (D above threshold) and <paramref name="outside"/> where D crosses the threshold; ±∞ if it never does.</summary>
    private static double Boundary(Func<double, double> drift, double threshold, double inside, double outside)
    {
        if (drift(outside) > threshold)
        {
            return outside < inside ? double.NegativeInfinity : double.PositiveInfinity;
        }

        for (var i = 0; i < 100 && Math.Abs(outside - inside) > BisectionTolerance; i++)
        {
            var middle = (inside + outside) / 2;
            if (drift(middle) > threshold)
            {
                inside = middle;
            }
            else
            {
                outside = middle;
            }
        }

        return (inside + outside) / 2;
    }

    internal static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }

        if (double.IsNegativeInfinity(b))
        {
            return a;
        }

        var max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }

    private static double[] BuildGrid()
    {
        var grid = new double[GridPoints];
        for (var i = 0; i < GridPoints; i++)
        {
            grid[i] = -GridHalfWidth + (2 * GridHalfWidth * i / (GridPoints - 1));
        }

        return grid;
    }

    private static double[] BuildLogWeights()
    {
        var grid = BuildGrid();
        var weights = grid.Select(g => -0.5 * g * g / (PriorScale * PriorScale)).ToArray();
        var logTotal = weights.Aggregate(double.NegativeInfinity, LogAdd);
        return weights.Select(w => w - logTotal).ToArray();
    }
}
