namespace Verification.Silo.Ingestion.Otlp;

/// <summary>A value reported cumulatively (OTLP cumulative temporality, Prometheus counters).</summary>
internal interface ICumulative<TSelf>
    where TSelf : class, ICumulative<TSelf>
{
    /// <summary>
    /// This value minus an earlier value of the same series, or null when this value cannot have
    /// grown from the earlier one (some part decreased, or the bucket layout changed): a reset.
    /// </summary>
    TSelf? Since(TSelf earlier);
}

/// <summary>The running total of a monotonic counter.</summary>
internal sealed record CounterTotal(double Value) : ICumulative<CounterTotal>
{
    public CounterTotal? Since(CounterTotal earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return Value >= earlier.Value ? new CounterTotal(Value - earlier.Value) : null;
    }
}
