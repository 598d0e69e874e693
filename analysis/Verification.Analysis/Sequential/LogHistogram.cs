namespace Verification.Analysis.Sequential;

/// <summary>
/// A sufficient summary for tail tests: counts per logarithmic bucket of relative width 1 %
/// (bucket i holds (γ^{i−1}, γ^i], γ = 1.01, mirrored for negative values, plus a zero bucket), as in
/// DDSketch (Masson, Rim &amp; Lee 2019, §2). O(1) per value, order-independent, and two cohorts' histograms
/// share bucket edges, so exceedances of a common threshold are exact counts.
/// </summary>
internal sealed class LogHistogram
{
    /// <summary>Relative bucket width γ.</summary>
    public const double Gamma = 1.01;

    private static readonly double LogGamma = Math.Log(Gamma);
    private readonly Dictionary<long, long> _buckets = [];

    public long Count { get; private set; }

    /// <summary>Number of non-empty buckets.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Keys of the non-empty buckets (see <see cref="Key"/>), unordered.</summary>
    public Dictionary<long, long>.KeyCollection Keys => _buckets.Keys;

    /// <summary>Values in the bucket with this key (0 if none).</summary>
    public long this[long key] => _buckets.GetValueOrDefault(key);

    public void Add(double value)
    {
        var key = Key(value);
        _buckets[key] = _buckets.GetValueOrDefault(key) + 1;
        Count++;
    }

    /// <summary>
    /// Order-preserving bucket key: positive values map to 2^40 + ⌈log_γ v⌉, negative values to −(2^40 + ⌈log_γ |v|⌉),
    /// zero to 0. |log_γ v| ≤ 71,400 for every finite double, far below 2^40.
    /// </summary>
    public static long Key(double value)
    {
        if (value == 0)
        {
            return 0;
        }

        const long Offset = 1L << 40;
        var index = (long)Math.Ceiling(Math.Log(Math.Abs(value)) / LogGamma);
        return value > 0 ? Offset + index : -(Offset + index);
    }
}
