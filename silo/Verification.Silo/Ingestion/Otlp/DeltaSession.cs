namespace Verification.Silo.Ingestion.Otlp;

/// <summary>What became of one cumulative point.</summary>
internal enum DeltaOutcome
{
    /// <summary>The point yields an increase (possibly zero).</summary>
    Increase,
    /// <summary>The point only establishes the series' baseline, or is an old or repeated point: nothing to count.</summary>
    Baseline,
    /// <summary>A new series over the converter's series limit.</summary>
    TooManySeries,
}

/// <summary>
/// One request's view of the <see cref="CumulativeDeltaConverter"/>: reads remembered state, keeps
/// its own proposals (so several points of one series in one request chain correctly) and applies
/// them only on <see cref="Commit"/>.
/// </summary>
internal sealed class DeltaSession
{
    private readonly CumulativeDeltaConverter _converter;
    private readonly Dictionary<string, SeriesState> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<TelemetryLink, ulong> _links = [];
    private readonly Dictionary<string, (PendingRatio? Read, PendingRatio Written)> _pending = new(StringComparer.Ordinal);
    private int _newSeries;
    private bool _committed;

    internal DeltaSession(CumulativeDeltaConverter converter) => _converter = converter;

    /// <summary>
    /// The series key with these characters: the string this session or the converter already holds for it, a new one
    /// only for a series not seen before (most points of a request continue a known series).
    /// </summary>
    public string SeriesKey(ReadOnlySpan<char> key) =>
        _series.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var known, out _) ? known : _converter.SeriesKey(key);

    /// <summary>Notes that a point of this deployment and cohort was seen at this time.</summary>
    public void NoteLink(TelemetryLink link, ulong timeUnixNano) =>
        _links[link] = _links.TryGetValue(link, out var first) ? Math.Min(first, timeUnixNano) : timeUnixNano;

    /// <summary>The increase a cumulative point represents, per the rules on <see cref="CumulativeDeltaConverter"/>.</summary>
    public DeltaOutcome ToDelta<T>(
        string seriesKey, TelemetryLink link, DateTimeOffset? deploymentStartedAt, ulong startUnixNano, ulong timeUnixNano,
        T value, out T? delta)
        where T : class, ICumulative<T>
    {
        delta = null;
        var state = _series.TryGetValue(seriesKey, out var proposed) ? proposed : _converter.ReadSeries(seriesKey);
        if (state?.Value is not T earlier)
        {
            if (!_converter.HasRoomForSeries(_newSeries + 1))
            {
                return DeltaOutcome.TooManySeries;
            }

            _newSeries++;
            _series[seriesKey] = new SeriesState(startUnixNano, timeUnixNano, value, DateTimeOffset.MinValue);
            var startedAfterDeployment = startUnixNano != 0 && deploymentStartedAt is { } started
                && startUnixNano >= ToUnixNano(started);
            if (startedAfterDeployment || _converter.LinkSeenBefore(link, timeUnixNano))
            {
                delta = value;
                return DeltaOutcome.Increase;
            }

            return DeltaOutcome.Baseline;
        }

        if (timeUnixNano <= state.TimeUnixNano)
        {
            return DeltaOutcome.Baseline;
        }

        if (startUnixNano != 0 && state.StartUnixNano != 0 && startUnixNano != state.StartUnixNano)
        {
            if (startUnixNano < state.StartUnixNano)
            {
                return DeltaOutcome.Baseline;
            }

            _series[seriesKey] = new SeriesState(startUnixNano, timeUnixNano, value, DateTimeOffset.MinValue);
            delta = value;
            return DeltaOutcome.Increase;
        }

        _series[seriesKey] = new SeriesState(
            startUnixNano != 0 ? startUnixNano : state.StartUnixNano, timeUnixNano, value, DateTimeOffset.MinValue);
        delta = value.Since(earlier) ?? value;
        return DeltaOutcome.Increase;
    }

    public PendingRatio? ReadPending(string key) =>
        _pending.TryGetValue(key, out var entry) ? entry.Written : _converter.ReadPending(key);

    public void WritePending(string key, PendingRatio written)
    {
        var read = _pending.TryGetValue(key, out var entry) ? entry.Read : _converter.ReadPending(key);
        _pending[key] = (read, written);
    }

    /// <summary>Makes this request's state changes permanent; call once its samples are durable. Idempotent.</summary>
    public void Commit()
    {
        if (_committed)
        {
            return;
        }

        _committed = true;
        _converter.Commit(_series, _links, _pending);
    }

    public static ulong ToUnixNano(DateTimeOffset time) =>
        time <= DateTimeOffset.UnixEpoch ? 0 : (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static DateTimeOffset FromUnixNano(ulong unixNano) => DateTimeOffset.UnixEpoch.AddTicks((long)(unixNano / 100));
}
