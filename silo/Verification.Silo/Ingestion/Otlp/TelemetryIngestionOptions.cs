namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Limits and state bounds of the OTLP and remote-write receivers.</summary>
internal sealed class TelemetryIngestionOptions
{
    public const int DefaultMaxBodyBytes = 32 * 1024 * 1024;
    public const int DefaultMaxObservationsPerDataPoint = 10_000;
    public const int DefaultMaxObservationsPerRequest = 1_000_000;
    public const int DefaultMaxSeries = 200_000;
    public static readonly TimeSpan DefaultSeriesIdleTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Largest body accepted, checked both on the wire and after decompression (gzip, snappy).</summary>
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>
    /// Most observations one histogram data point expands to. Above it the bucket counts are thinned
    /// proportionally (largest remainder), which keeps the shape and lowers the sample size, so the
    /// tests lose power but not their false-rollback guarantee.
    /// </summary>
    public int MaxObservationsPerDataPoint { get; set; } = DefaultMaxObservationsPerDataPoint;

    /// <summary>
    /// Most CONTINUOUS values one request may produce (8 MB of doubles at the default); points past
    /// it are rejected, so a small body of many histogram points cannot expand without bound.
    /// </summary>
    public int MaxObservationsPerRequest { get; set; } = DefaultMaxObservationsPerRequest;

    /// <summary>Most cumulative series whose last value is remembered; points of further new series are rejected.</summary>
    public int MaxSeries { get; set; } = DefaultMaxSeries;

    /// <summary>A series (and a pending ratio half) not seen for this long is forgotten.</summary>
    public TimeSpan SeriesIdleTimeout { get; set; } = DefaultSeriesIdleTimeout;

    public void Validate()
    {
        if (MaxBodyBytes <= 0)
        {
            throw new InvalidOperationException($"{nameof(MaxBodyBytes)} must be positive, got {MaxBodyBytes}.");
        }

        if (MaxObservationsPerDataPoint <= 0)
        {
            throw new InvalidOperationException(
                $"{nameof(MaxObservationsPerDataPoint)} must be positive, got {MaxObservationsPerDataPoint}.");
        }

        if (MaxObservationsPerRequest <= 0)
        {
            throw new InvalidOperationException(
                $"{nameof(MaxObservationsPerRequest)} must be positive, got {MaxObservationsPerRequest}.");
        }

        if (MaxSeries <= 0)
        {
            throw new InvalidOperationException($"{nameof(MaxSeries)} must be positive, got {MaxSeries}.");
        }

        if (SeriesIdleTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(SeriesIdleTimeout)} must be positive, got {SeriesIdleTimeout}.");
        }
    }
}
