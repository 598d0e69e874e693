using MathNet.Numerics.Distributions;

namespace Verification.Analysis.Statistics;

/// <summary>How the null distribution of W is evaluated.</summary>
internal enum RankSumMethod
{
    /// <summary>R's default: exact when both samples have fewer than 50 observations and there are no ties.</summary>
    Auto,

    /// <summary>Exact when there are no ties (and m·n ≤ <see cref="WilcoxonDistribution.MaxCells"/>), else the normal approximation.</summary>
    Exact,

    /// <summary>Normal approximation with tie and continuity correction.</summary>
    Normal,
}

/// <summary>Two-sided Wilcoxon rank-sum test of x against y with the Hodges–Lehmann shift estimate of x − y.</summary>
/// <param name="Statistic">W = rank sum of x − m(m+1)/2.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="Estimate">Hodges–Lehmann estimate of the location shift x − y.</param>
/// <param name="CiLow">Lower confidence limit for the shift.</param>
/// <param name="CiHigh">Upper confidence limit for the shift.</param>
/// <param name="IsExact">Whether the exact distribution was used.</param>
internal sealed record RankSumResult(double Statistic, double PValue, double Estimate, double CiLow, double CiHigh, bool IsExact);

/// <summary>
/// Mann–Whitney U / Wilcoxon rank-sum test (Hollander &amp; Wolfe, "Nonparametric Statistical Methods", §4.1–4.3),
/// computing what R's <c>wilcox.test(x, y, conf.int = TRUE, correct = TRUE)</c> computes:
/// <list type="bullet">
/// <item>normal approximation: z = (W − mn/2 − sign·½) / σ, σ² = mn/12 · ((N+1) − Σ(t³ − t)/(N(N−1))) for tie groups of size t;</item>
/// <item>its interval: the shifts d where the same corrected z of (x − d, y) crosses ±z_{α/2}, found with R's
/// Brent rules and tolerance 1e-4; the estimate is the root of the uncorrected z (R sets correct = FALSE for it);</item>
/// <item>exact (no ties, small samples): p from the exact distribution, interval from the order statistics of the
/// m·n pairwise differences, estimate their median.</item>
/// </list>
/// Where R fails we answer instead (see <see cref="Test"/>). Cost: sorting both samples, O((m+n) log(m+n)), then
/// O(m+n) per root-finding step; the exact interval needs the m·n differences (only for m·n ≤ 2,500).
/// </summary>
internal static class MannWhitney
{
    /// <summary>R's <c>tol.root</c> default.</summary>
    public const double RootTolerance = 1e-4;

    /// <summary>
    /// Runs the test. Deviations from R, where R gives NaN or stops with an error:
    /// every observation tied (σ = 0): p = 1, estimate and interval = the only possible shift (0 when both
    /// samples are the same constant); only one possible shift (min x − max y = max x − min y, e.g. one
    /// observation each, or two different constants): estimate and interval are that shift, p as R.
    /// </summary>
    public static RankSumResult Test(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double confidenceLevel = 0.95,
        RankSumMethod method = RankSumMethod.Auto)
    {
        if (x.IsEmpty || y.IsEmpty)
        {
            throw new ArgumentException("both samples need at least one observation");
        }

        if (!(confidenceLevel > 0 && confidenceLevel < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "must lie strictly between 0 and 1");
        }

        var xs = x.ToArray();
        var ys = y.ToArray();
        Array.Sort(xs);
        Array.Sort(ys);
        if (xs.Any(double.IsNaN) || ys.Any(double.IsNaN))
        {
            throw new ArgumentException("samples must not contain NaN");
        }

        return TestSorted(xs, ys, confidenceLevel, method);
    }

    /// <summary><see cref="Test"/> on samples already sorted ascending and free of NaN (callers that keep sorted stores).</summary>
    public static RankSumResult TestSorted(double[] xs, double[] ys, double confidenceLevel, RankSumMethod method)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        double m = xs.Length, n = ys.Length;
        var (rankSum, tieTerm) = RankSum(xs, ys, 0);
        var statistic = rankSum - (m * (m + 1) / 2);
        var hasTies = tieTerm > 0;
        var useExact = method switch
        {
            RankSumMethod.Auto => m < 50 && n < 50,
            RankSumMethod.Exact => m * n <= WilcoxonDistribution.MaxCells,
            _ => false,
        } && !hasTies;
        return useExact ? ExactTest(xs, ys, statistic, confidenceLevel) : NormalTest(xs, ys, statistic, tieTerm, confidenceLevel);
    }

    private static RankSumResult ExactTest(double[] xs, double[] ys, double statistic, double confidenceLevel)
    {
        int m = xs.Length, n = ys.Length;
        var distribution = new WilcoxonDistribution(m, n);
        var tail = statistic > m * n / 2.0 ? distribution.Upper(statistic - 1) : distribution.Lower(statistic);
        var pValue = Math.Min(2 * tail, 1);

        var differences = new double[m * n];
        var k = 0;
        foreach (var xi in xs)
        {
            foreach (var yj in ys)
            {
                differences[k++] = xi - yj;
            }
        }

        Array.Sort(differences);
        var alpha = 1 - confidenceLevel;
        var qu = distribution.Quantile(alpha / 2);
        if (qu == 0)
        {
            qu = 1;
        }

        var ql = (m * n) - qu;
        var median = differences.Length % 2 == 1
            ? differences[differences.Length / 2]
            : (differences[(differences.Length / 2) - 1] + differences[differences.Length / 2]) / 2;
        // R indexes 1-based: diffs[qu] and diffs[ql + 1].
        return new RankSumResult(statistic, pValue, median, differences[qu - 1], differences[ql], IsExact: true);
    }

    private static RankSumResult NormalTest(double[] xs, double[] ys, double statistic, double tieTerm, double confidenceLevel)
    {
        double m = xs.Length, n = ys.Length;
        var sigma = Sigma(m, n, tieTerm);
        var z = statistic - (m * n / 2);
        var pValue = sigma > 0 ? 2 * Normal.CDF(0, 1, -Math.Abs((z - (Math.Sign(z) * 0.5)) / sigma)) : 1.0;
        pValue = Math.Min(pValue, 1);

        var shiftMin = xs[0] - ys[^1];
        var shiftMax = xs[^1] - ys[0];
        if (shiftMin >= shiftMax)
        {
            // Only one shift is possible; R's uniroot stops here (lower < upper is not fulfilled).
            return new RankSumResult(statistic, pValue, shiftMin, shiftMin, shiftMin, IsExact: false);
        }

        var alpha = 1 - confidenceLevel;
        var zq = Normal.InvCDF(0, 1, 1 - (alpha / 2));
        double Corrected(double d) => StandardizedShift(xs, ys, d, continuityCorrection: true);
        var atMin = Corrected(shiftMin);
        var atMax = Corrected(shiftMax);
        var low = Root(Corrected, shiftMin, shiftMax, atMin, atMax, zq);
        var high = Root(Corrected, shiftMin, shiftMax, atMin, atMax, -zq);

        double Uncorrected(double d) => StandardizedShift(xs, ys, d, continuityCorrection: false);
        var estimate = BrentRoot.Find(Uncorrected, shiftMin, shiftMax, Uncorrected(shiftMin), Uncorrected(shiftMax), RootTolerance);
        return new RankSumResult(statistic, pValue, estimate, low, high, IsExact: false);
    }

    private static double Root(Func<double, double> standardized, double lower, double upper, double atLower, double atUpper, double zq)
    {
        var fLower = atLower - zq;
        if (fLower <= 0)
        {
            return lower;
        }

        var fUpper = atUpper - zq;
        if (fUpper >= 0)
        {
            return upper;
        }

        return BrentRoot.Find(d => standardized(d) - zq, lower, upper, fLower, fUpper, RootTolerance);
    }

    /// <summary>The (optionally continuity-corrected) z of the rank-sum statistic for x − d against y; decreasing in d.</summary>
    private static double StandardizedShift(double[] xs, double[] ys, double d, bool continuityCorrection)
    {
        double m = xs.Length, n = ys.Length;
        var (rankSum, tieTerm) = RankSum(xs, ys, d);
        var dz = rankSum - (m * (m + 1) / 2) - (m * n / 2);
        var correction = continuityCorrection ? Math.Sign(dz) * 0.5 : 0;
        return (dz - correction) / Sigma(m, n, tieTerm);
    }

    private static double Sigma(double m, double n, double tieTerm) =>
        Math.Sqrt(m * n / 12 * (m + n + 1 - (tieTerm / ((m + n) * (m + n - 1)))));

    /// <summary>
    /// Rank sum of the shifted x (x − d) in the combined sample, with mid-ranks for ties, and Σ(t³ − t) over tie
    /// groups: one merge of the two sorted samples, O(m + n).
    /// </summary>
    internal static (double RankSum, double TieTerm) RankSum(double[] xs, double[] ys, double d)
    {
        int i = 0, j = 0;
        long position = 0;
        double rankSum = 0, tieTerm = 0;
        var nextX = xs.Length > 0 ? xs[0] - d : double.PositiveInfinity;
        while (i < xs.Length || j < ys.Length)
        {
            var value = j < ys.Length && ys[j] < nextX ? ys[j] : nextX;
            long inX = 0, inY = 0;
            while (i < xs.Length && nextX == value)
            {
                inX++;
                i++;
                nextX = i < xs.Length ? xs[i] - d : double.PositiveInfinity;
            }

            while (j < ys.Length && ys[j] == value)
            {
                inY++;
                j++;
            }

            var group = inX + inY;
            var midRank = position + ((group + 1) / 2.0);
            rankSum += inX * midRank;
            tieTerm += ((double)group * group * group) - group;
            position += group;
        }

        return (rankSum, tieTerm);
    }
}
