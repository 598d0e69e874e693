using Verification.Analysis.Statistics;

namespace Verification.Analysis.Sequential;

/// <summary>
/// The mixing distribution of a one-sided test: equal weights on a geometric grid of effect sizes
/// g_1 &lt; … &lt; g_m, all on the alternative's side of the null.
/// <para>
/// Why a discrete one-sided mixture. For every fixed alternative the likelihood ratio L_t(θ0 + g)/L_t(θ0) is Wald's
/// SPRT statistic (Wald 1945, "Sequential tests of statistical hypotheses", Ann. Math. Statist. 16(2), eq. (3)), a
/// non-negative martingale with mean 1 under θ0, and (for a family with a monotone likelihood ratio) a
/// supermartingale under every θ on the null's side of θ0. A convex combination Λ_t = Σ_j w_j L_t(θ0 + g_j)/L_t(θ0)
/// is again one (Robbins 1970, "Statistical methods related to the law of the iterated logarithm", Ann. Math.
/// Statist. 41(5), §2–3: the method of mixtures, with a prior on a finite set), so Ville's inequality
/// P(∃t: Λ_t ≥ 1/α) ≤ α (Ville 1939; Howard, Ramdas, McAuliffe &amp; Sekhon 2021, Ann. Statist. 49(2), Lemma 1)
/// holds however often Λ is read. Compared with a symmetric normal mixture centred on "no change" (what this
/// library used before), no prior mass is spent on the good side (factor 2, ln 2 nats), and the mass sits on the
/// effects a rollout can detect in its window rather than on effects of 10–400× that no canary needs a test for:
/// if the true effect is a grid point g_j the mixture needs at most ln(1/w_j) = ln m nats more than the oracle SPRT
/// told the effect (Λ_t ≥ w_j·L_t(g_j)/L_t(θ0)), and in practice less because neighbouring points contribute.
/// The grid and its end points are measured in <c>bench/README.md</c> ("What changed in the judge").
/// </para>
/// </summary>
internal sealed class ShiftPrior
{
    /// <summary>A grid of <paramref name="count"/> shifts from <paramref name="smallest"/> to <paramref name="largest"/>, equally spaced in log.</summary>
    public ShiftPrior(double smallest, double largest, int count)
    {
        if (!(smallest > 0 && largest > smallest && count >= 2))
        {
            throw new ArgumentOutOfRangeException(nameof(count), "need 0 < smallest < largest and at least two points");
        }

        Shifts = new double[count];
        for (var i = 0; i < count; i++)
        {
            Shifts[i] = Math.Exp(Math.Log(smallest) + ((Math.Log(largest) - Math.Log(smallest)) * i / (count - 1)));
        }

        LogWeight = -Math.Log(count);
    }

    /// <summary>The grid of effect sizes, ascending.</summary>
    public double[] Shifts { get; }

    /// <summary>ln w_j, the same for every point.</summary>
    public double LogWeight { get; }

    /// <summary>
    /// The root of a decreasing function f on (−∞, <paramref name="start"/>] (to a millionth of the first step): the
    /// point where f reaches <paramref name="level"/> searching down from <paramref name="start"/> (at which f &lt; level)
    /// in steps of <paramref name="step"/> that double; −∞ if f stays below level down to start − <paramref name="range"/>.
    /// Used for the lower bound of a one-sided confidence sequence: { θ0 : Λ_t(θ0) &lt; 1/α } is an interval (θ*, ∞)
    /// when ln Λ_t(θ0) decreases in θ0 (Howard et al. 2021 §3: a confidence sequence by inverting a family of tests).
    /// </summary>
    public static double BoundBelow(Func<double, double> f, double level, double start, double step, double range)
    {
        double inside = start, outside = start - step;
        var firstStep = step;
        var atInside = f(inside);
        var atOutside = f(outside);
        while (atOutside < level)
        {
            (inside, atInside) = (outside, atOutside);
            step *= 2;
            outside = start - step;
            if (step > range)
            {
                return double.NegativeInfinity;
            }

            atOutside = f(outside);
        }

        // Bracketed: Brent's method to a millionth of the first step (about a standard error), far finer than any
        // reported digit, in a handful of evaluations instead of bisection's twenty.
        return BrentRoot.Find(x => f(x) - level, outside, inside, atOutside - level, atInside - level, 1e-6 * firstStep);
    }

    /// <summary>log Σ exp(terms), without overflow.</summary>
    public static double LogSumExp(ReadOnlySpan<double> terms)
    {
        var largest = double.NegativeInfinity;
        foreach (var term in terms)
        {
            largest = Math.Max(largest, term);
        }

        if (double.IsNegativeInfinity(largest))
        {
            return largest;
        }

        var sum = 0.0;
        foreach (var term in terms)
        {
            sum += Math.Exp(term - largest);
        }

        return largest + Math.Log(sum);
    }
}
