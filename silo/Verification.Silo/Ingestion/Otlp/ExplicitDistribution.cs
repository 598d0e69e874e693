namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// An explicit-bounds histogram (OTLP HistogramDataPoint, Prometheus classic histogram): bucket i
/// covers (bounds[i-1], bounds[i]], the first from −∞ and the last to +∞. No buckets at all means
/// one bucket (−∞, +∞) holding every observation.
/// </summary>
internal sealed class ExplicitDistribution(
    IReadOnlyList<double> bounds, IReadOnlyList<ulong> counts, double? sum, double? min, double? max)
    : Distribution, ICumulative<ExplicitDistribution>
{
    public IReadOnlyList<double> Bounds { get; } = bounds;

    public IReadOnlyList<ulong> Counts { get; } = counts;

    public double? Sum { get; } = sum;

    public override ulong Count => Counts.Aggregate(0UL, (s, c) => s + c);

    /// <summary>Checks the OTLP invariants; null when they hold, else the reason.</summary>
    public static string? Validate(IReadOnlyList<double> bounds, IReadOnlyList<ulong> counts, ulong count)
    {
        if (counts.Count == 0)
        {
            return bounds.Count == 0 ? null : "explicit_bounds without bucket_counts";
        }

        if (counts.Count != bounds.Count + 1)
        {
            return $"{counts.Count} bucket_counts for {bounds.Count} explicit_bounds (must be one more)";
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return "explicit_bounds must be finite and strictly increasing";
            }
        }

        var total = counts.Aggregate(0UL, (s, c) => s + c);
        return total == count ? null : $"count {count} differs from the sum of bucket_counts {total}";
    }

    public override IEnumerable<Bucket> Buckets()
    {
        var mean = Sum is { } s && Count > 0 ? s / Count : (double?)null;
        for (var i = 0; i < Counts.Count; i++)
        {
            var lower = i == 0 ? double.NegativeInfinity : Bounds[i - 1];
            var upper = i == Bounds.Count ? double.PositiveInfinity : Bounds[i];
            yield return new Bucket(lower, upper, Counts[i], Midpoint(lower, upper, min, max, mean, logScale: false));
        }
    }

    /// <summary>Bucket-wise difference; min and max of the difference are unknown and dropped.</summary>
    public ExplicitDistribution? Since(ExplicitDistribution earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        if (!Bounds.SequenceEqual(earlier.Bounds) || Counts.Count != earlier.Counts.Count)
        {
            return null;
        }

        var delta = new ulong[Counts.Count];
        for (var i = 0; i < delta.Length; i++)
        {
            if (Counts[i] < earlier.Counts[i])
            {
                return null;
            }

            delta[i] = Counts[i] - earlier.Counts[i];
        }

        var sumDelta = Sum is { } now && earlier.Sum is { } then ? now - then : (double?)null;
        return new ExplicitDistribution(Bounds, delta, sumDelta, min: null, max: null);
    }
}
