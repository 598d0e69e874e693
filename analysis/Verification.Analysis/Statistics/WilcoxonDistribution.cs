namespace Verification.Analysis.Statistics;

/// <summary>
/// Exact null distribution of the Wilcoxon rank-sum statistic W = R_x − m(m+1)/2 for samples of sizes
/// m and n without ties (Mann &amp; Whitney 1947): every m-subset of the ranks 1…m+n is equally likely.
/// Probabilities are summed on the shorter tail, as R's <c>pwilcox</c>/<c>qwilcox</c> do, so small
/// tail probabilities keep their relative accuracy.
/// </summary>
internal sealed class WilcoxonDistribution
{
    /// <summary>Above this m·n (49·49 ≈ R's default exact range) the O((m+n)·m·mn) counts are not worth their cost.</summary>
    public const int MaxCells = 2_500;

    private readonly double[] _counts;
    private readonly double _subsets;

    public WilcoxonDistribution(int m, int n)
    {
        if (m < 1 || n < 1 || (long)m * n > MaxCells)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"exact distribution needs 1 ≤ m, n and m·n ≤ {MaxCells}; got m={m}, n={n}");
        }

        M = m;
        N = n;
        _counts = Counts(m, n);
        _subsets = _counts.Sum();
    }

    public int M { get; }

    public int N { get; }

    public int MaxStatistic => M * N;

    /// <summary>P(W ≤ q).</summary>
    public double Lower(double q)
    {
        var k = Math.Floor(q + 1e-7);
        if (k < 0)
        {
            return 0;
        }

        if (k >= MaxStatistic)
        {
            return 1;
        }

        return k <= MaxStatistic / 2.0 ? SumFromZero((int)k) : 1 - SumFromZero(MaxStatistic - (int)k - 1);
    }

    /// <summary>P(W &gt; q).</summary>
    public double Upper(double q)
    {
        var k = Math.Floor(q + 1e-7);
        if (k < 0)
        {
            return 1;
        }

        if (k >= MaxStatistic)
        {
            return 0;
        }

        // By symmetry P(W > k) = P(W < mn − k) = P(W ≤ mn − k − 1).
        return k <= MaxStatistic / 2.0 ? 1 - SumFromZero((int)k) : SumFromZero(MaxStatistic - (int)k - 1);
    }

    /// <summary>The smallest q with P(W ≤ q) ≥ p, with R's 10·ε fuzz so that p = P(W ≤ q) exactly returns q.</summary>
    public int Quantile(double p)
    {
        const double Fuzz = 10 * 2.220446049250313e-16;
        var cumulative = 0.0;
        var q = 0;
        if (p <= 0.5)
        {
            var target = p - Fuzz;
            while (true)
            {
                cumulative += _counts[q] / _subsets;
                if (cumulative >= target)
                {
                    return q;
                }

                q++;
            }
        }

        var upperTarget = 1 - p + Fuzz;
        while (true)
        {
            cumulative += _counts[q] / _subsets;
            if (cumulative > upperTarget)
            {
                return MaxStatistic - q;
            }

            q++;
        }
    }

    private double SumFromZero(int k)
    {
        var sum = 0.0;
        for (var i = 0; i <= k; i++)
        {
            sum += _counts[i] / _subsets;
        }

        return sum;
    }

    /// <summary>
    /// Number of m-subsets of {1…m+n} for each W: subset-sum dynamic programme over the ranks, shifted by
    /// the smallest rank sum m(m+1)/2.
    /// </summary>
    private static double[] Counts(int m, int n)
    {
        var total = m + n;
        var maxSum = (m * total) - (m * (m - 1) / 2);
        var ways = new double[m + 1, maxSum + 1];
        ways[0, 0] = 1;
        for (var rank = 1; rank <= total; rank++)
        {
            for (var chosen = Math.Min(rank, m); chosen >= 1; chosen--)
            {
                for (var sum = maxSum; sum >= rank; sum--)
                {
                    ways[chosen, sum] += ways[chosen - 1, sum - rank];
                }
            }
        }

        var offset = m * (m + 1) / 2;
        var counts = new double[(m * n) + 1];
        for (var w = 0; w < counts.Length; w++)
        {
            counts[w] = ways[m, w + offset];
        }

        return counts;
    }
}
