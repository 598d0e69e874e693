namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// An OTLP exponential histogram. With base = 2^(2^−scale), positive bucket index i covers
/// (base^i, base^(i+1)], negative bucket i the mirror image, and the zero bucket
/// [−zero_threshold, zero_threshold] (OTLP data model, "ExponentialHistogram"). A bucket's
/// observations stand at its middle in log space, base^(i+½), clamped to [min, max]: the relative
/// error of a value is at most base^½ − 1 (about 4.4 % at scale 3, 0.27 % at scale 8).
/// </summary>
internal sealed class ExponentialDistribution : Distribution, ICumulative<ExponentialDistribution>
{
    public const int MinScale = -10;
    public const int MaxScale = 20;
    private readonly double? _min;
    private readonly double? _max;
    private readonly double? _sum;

    public ExponentialDistribution(
        int scale, ulong zeroCount, double zeroThreshold, SortedDictionary<int, ulong> positive, SortedDictionary<int, ulong> negative,
        double? sum, double? min, double? max)
    {
        Scale = scale;
        ZeroCount = zeroCount;
        ZeroThreshold = zeroThreshold;
        Positive = positive;
        Negative = negative;
        _sum = sum;
        _min = min;
        _max = max;
    }

    public int Scale { get; }

    public ulong ZeroCount { get; }

    public double ZeroThreshold { get; }

    /// <summary>Positive bucket counts by index (only non-zero ones).</summary>
    public SortedDictionary<int, ulong> Positive { get; }

    /// <summary>Negative bucket counts by index of the absolute value (only non-zero ones).</summary>
    public SortedDictionary<int, ulong> Negative { get; }

    public override ulong Count =>
        ZeroCount + Positive.Values.Aggregate(0UL, (s, c) => s + c) + Negative.Values.Aggregate(0UL, (s, c) => s + c);

    /// <summary>Bucket counts keyed by index from an OTLP offset and dense count array.</summary>
    public static SortedDictionary<int, ulong> FromDense(int offset, IReadOnlyList<ulong> counts)
    {
        var buckets = new SortedDictionary<int, ulong>();
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] > 0)
            {
                buckets[offset + i] = counts[i];
            }
        }

        return buckets;
    }

    public override IEnumerable<Bucket> Buckets()
    {
        var mean = _sum is { } s && Count > 0 ? s / Count : (double?)null;
        foreach (var (index, count) in Negative.Reverse())
        {
            var (lower, upper) = (-Boundary(index + 1), -Boundary(index));
            yield return new Bucket(lower, upper, count, Midpoint(lower, upper, _min, _max, mean, logScale: true));
        }

        if (ZeroCount > 0)
        {
            yield return new Bucket(-ZeroThreshold, ZeroThreshold, ZeroCount, 0);
        }

        foreach (var (index, count) in Positive)
        {
            var (lower, upper) = (Boundary(index), Boundary(index + 1));
            yield return new Bucket(lower, upper, count, Midpoint(lower, upper, _min, _max, mean, logScale: true));
        }
    }

    /// <summary>
    /// Difference from an earlier cumulative point. A cumulative exponential histogram may lower its
    /// scale between exports as its range grows; the earlier point is then merged down to this scale
    /// (index i at scale s lands in index i >> (s − s') at scale s', data model "Downscaling") and
    /// the difference is exact. A higher scale or another zero threshold cannot follow: a reset.
    /// </summary>
    public ExponentialDistribution? Since(ExponentialDistribution earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (earlier.Scale < Scale || earlier.ZeroThreshold != ZeroThreshold || earlier.ZeroCount > ZeroCount)
        {
            return null;
        }

        var shift = earlier.Scale - Scale;
        var positive = Subtract(Positive, Downscale(earlier.Positive, shift));
        var negative = Subtract(Negative, Downscale(earlier.Negative, shift));
        if (positive is null || negative is null)
        {
            return null;
        }

        var sum = _sum is { } now && earlier._sum is { } then ? now - then : (double?)null;
        return new ExponentialDistribution(
            Scale, ZeroCount - earlier.ZeroCount, ZeroThreshold, positive, negative, sum, min: null, max: null);
    }

    private double Boundary(int index) => Math.Pow(2, index * Math.Pow(2, -Scale));

    private static SortedDictionary<int, ulong> Downscale(SortedDictionary<int, ulong> buckets, int shift)
    {
        var merged = new SortedDictionary<int, ulong>();
        foreach (var (index, count) in buckets)
        {
            var target = index >> shift;
            merged[target] = merged.GetValueOrDefault(target) + count;
        }

        return merged;
    }

    private static SortedDictionary<int, ulong>? Subtract(SortedDictionary<int, ulong> now, SortedDictionary<int, ulong> then)
    {
        var delta = new SortedDictionary<int, ulong>();
        foreach (var (index, count) in then)
        {
            if (now.GetValueOrDefault(index) < count)
            {
                return null;
            }
        }

        foreach (var (index, count) in now)
        {
            var diff = count - then.GetValueOrDefault(index);
            if (diff > 0)
            {
                delta[index] = diff;
            }
        }

        return delta;
    }
}
