namespace Verification.Analysis.Dora;

/// <summary>Sample quantiles by linear interpolation between order statistics.</summary>
/// <remarks>
/// Hyndman &amp; Fan (1996) definition 7, the default of R's <c>quantile</c> and of NumPy: for sorted
/// x₁ … xₙ, h = (n − 1)·p, Q(p) = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋) (0-based). The median of an even
/// count is the mean of the two middle values; one value is every quantile.
/// </remarks>
internal static class Percentile
{
    public static double? Of(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var h = (sorted.Length - 1) * p;
        var lower = (int)Math.Floor(h);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((h - lower) * (sorted[upper] - sorted[lower]));
    }
}
