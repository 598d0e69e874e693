namespace Verification.Silo.Ingestion.Otlp;

/// <summary>One histogram bucket: the interval it covers, how many observations fell in it, and the value that stands for them.</summary>
internal readonly record struct Bucket(double Lower, double Upper, ulong Count, double Representative);

/// <summary>A histogram as buckets; explicit-bounds and exponential histograms both look like this.</summary>
internal abstract class Distribution
{
    public abstract ulong Count { get; }

    public abstract IEnumerable<Bucket> Buckets();

    /// <summary>
    /// False when some observations have no finite value to stand at: a histogram without buckets,
    /// sum, min or max, or exponential buckets beyond the range of a double.
    /// </summary>
    public bool HasRepresentativeValues => Buckets().All(b => b.Count == 0 || double.IsFinite(b.Representative));

    /// <summary>
    /// Every observation as its bucket's representative value, in bucket order. When the histogram
    /// holds more than <paramref name="cap"/> observations, each bucket keeps
    /// <c>count · cap / total</c> of them, rounded by largest remainder so that exactly
    /// <paramref name="cap"/> remain.
    /// </summary>
    public IReadOnlyList<double> Observations(int cap)
    {
        var buckets = Buckets().Where(b => b.Count > 0).ToList();
        var total = buckets.Aggregate(0UL, (sum, b) => sum + b.Count);
        var kept = buckets.Select(b => b.Count).ToArray();
        if (total > (ulong)cap)
        {
            var exact = buckets.Select(b => (double)b.Count * cap / total).ToArray();
            kept = exact.Select(x => (ulong)Math.Floor(x)).ToArray();
            var missing = cap - (long)kept.Aggregate(0UL, (sum, k) => sum + k);
            foreach (var i in Enumerable.Range(0, kept.Length).OrderByDescending(i => exact[i] - Math.Floor(exact[i])).ThenBy(i => i))
            {
                if (missing-- <= 0)
                {
                    break;
                }

                kept[i]++;
            }
        }

        var values = new List<double>((int)Math.Min(total, (ulong)cap));
        for (var i = 0; i < buckets.Count; i++)
        {
            values.AddRange(Enumerable.Repeat(buckets[i].Representative, (int)kept[i]));
        }

        return values;
    }

    /// <summary>
    /// Observations above <paramref name="threshold"/>: a bucket wholly above counts fully, one wholly
    /// at or below not at all, and the one holding the threshold goes by its representative. Exact
    /// when the threshold is a bucket boundary, because buckets are (lower, upper] intervals.
    /// </summary>
    public ulong CountAbove(double threshold) =>
        Buckets().Aggregate(0UL, (sum, b) =>
            b.Lower >= threshold || (b.Upper > threshold && b.Representative > threshold) ? sum + b.Count : sum);

    /// <summary>
    /// The value standing for a bucket's observations: the middle of the bucket after clamping it to
    /// the recorded [min, max]; an open-ended bucket stands at its finite bound (or min/max). With
    /// neither bound finite (a histogram without buckets) the mean sum/count is used when known.
    /// </summary>
    protected static double Midpoint(double lower, double upper, double? min, double? max, double? mean, bool logScale)
    {
        var lo = min is { } a && a > lower ? Math.Min(a, upper) : lower;
        var hi = max is { } b && b < upper ? Math.Max(b, lo) : upper;
        var loFinite = double.IsFinite(lo);
        var hiFinite = double.IsFinite(hi);
        if (loFinite && hiFinite)
        {
            // Exponential buckets are equal-width in log space, so their middle is the geometric mean
            // (OTLP data model, "Exponential Buckets": bucket index i covers (base^i, base^(i+1)]).
            return logScale && lo > 0 ? Math.Sqrt(lo * hi) : logScale && hi < 0 ? -Math.Sqrt(lo * hi) : (lo + hi) / 2;
        }

        return loFinite ? lo : hiFinite ? hi : mean ?? double.NaN;
    }
}
