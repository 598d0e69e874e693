namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// Turns cumulative series (OTLP cumulative temporality, Prometheus counters and classic histograms)
/// into per-export increases, remembering the last value of each series. Thread-safe; bounded by
/// <see cref="TelemetryIngestionOptions.MaxSeries"/> and <see cref="TelemetryIngestionOptions.SeriesIdleTimeout"/>.
/// </summary>
/// <remarks>
/// <para>Work happens in a <see cref="DeltaSession"/> per request that reads the remembered state and
/// proposes new state; nothing changes until <see cref="DeltaSession.Commit"/>, which the endpoint
/// calls once the samples are durable. A request whose samples could not be stored can therefore be
/// retried and yields the same increases and the same batch ids (which the grain deduplicates).</para>
/// <para>Rules, per series (source, instrument type, deployment, cohort, name, sorted attributes):</para>
/// <list type="bullet">
/// <item>First point of a series: counted in full (it grew from zero while we watched) when its start
/// time is known and not before the deployment started, or when an earlier export of the same
/// deployment and cohort was already seen without this series (the series appeared since, e.g. an
/// error counter created on the first error). Otherwise it only establishes the baseline: we cannot
/// tell how much of it predates the deployment.</item>
/// <item>A point not newer than the remembered one (a repeated or late export) counts zero.</item>
/// <item>A later start time is a reset (OTLP data model, "Cumulative streams: handling unknown start
/// time" / "Resets and Gaps"): the new value counts from zero. An earlier start time belongs to an
/// older incarnation and is ignored.</item>
/// <item>A value (or any histogram bucket) lower than the remembered one is a reset as well (the
/// Prometheus counter rule, needed when the start time is unknown).</item>
/// </list>
/// <para>Delta temporality needs no state and does not come here. Concurrent sessions that touch the
/// same series commit newest-point-wins; the ratio halves waiting for their partner merge additively.</para>
/// </remarks>
internal sealed class CumulativeDeltaConverter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SeriesState> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<TelemetryLink, LinkState> _links = [];
    private readonly Dictionary<string, PendingRatio> _pending = new(StringComparer.Ordinal);
    private readonly TelemetryIngestionOptions _options;
    private readonly TimeProvider _timeProvider;
    private DateTimeOffset _lastSweep;

    public CumulativeDeltaConverter(TelemetryIngestionOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider;
        _lastSweep = timeProvider.GetUtcNow();
    }

    /// <summary>Series whose last value is remembered.</summary>
    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _series.Count;
            }
        }
    }

    /// <summary>Ratio halves waiting for their partner.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public DeltaSession BeginSession() => new(this);

    internal SeriesState? ReadSeries(string key)
    {
        lock (_gate)
        {
            return _series.GetValueOrDefault(key);
        }
    }

    /// <summary>The remembered key with these characters, or a new string when the series is not remembered.</summary>
    internal string SeriesKey(ReadOnlySpan<char> key)
    {
        lock (_gate)
        {
            if (_series.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var known, out _))
            {
                return known;
            }
        }

        return key.ToString();
    }

    internal bool HasRoomForSeries(int proposedNew)
    {
        lock (_gate)
        {
            if (_series.Count + proposedNew <= _options.MaxSeries)
            {
                return true;
            }

            SweepLocked(_timeProvider.GetUtcNow(), force: true);
            return _series.Count + proposedNew <= _options.MaxSeries;
        }
    }

    /// <summary>True when the link was first seen at a point strictly before <paramref name="timeUnixNano"/>.</summary>
    internal bool LinkSeenBefore(TelemetryLink link, ulong timeUnixNano)
    {
        lock (_gate)
        {
            return _links.TryGetValue(link, out var state) && state.FirstTimeUnixNano < timeUnixNano;
        }
    }

    internal PendingRatio? ReadPending(string key)
    {
        lock (_gate)
        {
            return _pending.GetValueOrDefault(key);
        }
    }

    internal void Commit(
        IReadOnlyDictionary<string, SeriesState> series,
        IReadOnlyDictionary<TelemetryLink, ulong> links,
        IReadOnlyDictionary<string, (PendingRatio? Read, PendingRatio Written)> pending)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            foreach (var (key, proposed) in series)
            {
                if (!_series.TryGetValue(key, out var current) || current.TimeUnixNano <= proposed.TimeUnixNano)
                {
                    _series[key] = proposed with { SeenAt = now };
                }
            }

            foreach (var (link, firstTime) in links)
            {
                _links[link] = _links.TryGetValue(link, out var state)
                    ? new LinkState(Math.Min(state.FirstTimeUnixNano, firstTime), now)
                    : new LinkState(firstTime, now);
            }

            foreach (var (key, (read, written)) in pending)
            {
                var current = _pending.GetValueOrDefault(key);
                var next = ReferenceEquals(current, read) ? written : PendingRatio.Merge(current, read, written);
                if (next.IsEmpty)
                {
                    _pending.Remove(key);
                }
                else
                {
                    _pending[key] = next with { SeenAt = now };
                }
            }

            SweepLocked(now, force: false);
        }
    }

    private void SweepLocked(DateTimeOffset now, bool force)
    {
        if (!force && now - _lastSweep < _options.SeriesIdleTimeout / 4)
        {
            return;
        }

        _lastSweep = now;
        var cutoff = now - _options.SeriesIdleTimeout;
        foreach (var key in _series.Where(p => p.Value.SeenAt < cutoff).Select(p => p.Key).ToList())
        {
            _series.Remove(key);
        }

        foreach (var link in _links.Where(p => p.Value.SeenAt < cutoff).Select(p => p.Key).ToList())
        {
            _links.Remove(link);
        }

        // A ratio half whose partner never came is dropped with it (documented data loss).
        foreach (var key in _pending.Where(p => p.Value.SeenAt < cutoff).Select(p => p.Key).ToList())
        {
            _pending.Remove(key);
        }
    }

    private sealed record LinkState(ulong FirstTimeUnixNano, DateTimeOffset SeenAt);
}

/// <summary>The remembered last point of a cumulative series.</summary>
internal sealed record SeriesState(ulong StartUnixNano, ulong TimeUnixNano, object Value, DateTimeOffset SeenAt);

/// <summary>
/// What has arrived of a RATIO metric's count and total and not yet been emitted as a batch
/// (see <see cref="SampleAssembler"/> for when it is emitted).
/// </summary>
internal sealed record PendingRatio(double Count, double Total, bool CountSeen, int TotalWindows, ulong TimeUnixNano, DateTimeOffset SeenAt)
{
    public static readonly PendingRatio Empty = new(0, 0, false, 0, 0, DateTimeOffset.MinValue);

    public bool IsEmpty => Count == 0 && Total == 0 && !CountSeen && TotalWindows == 0;

    /// <summary>Applies one session's change (written − read) on top of a state another session changed meanwhile.</summary>
    public static PendingRatio Merge(PendingRatio? current, PendingRatio? read, PendingRatio written)
    {
        var now = current ?? Empty;
        var before = read ?? Empty;
        return new PendingRatio(
            Math.Max(0, now.Count + written.Count - before.Count),
            Math.Max(0, now.Total + written.Total - before.Total),
            now.CountSeen || written.CountSeen,
            Math.Max(0, now.TotalWindows + written.TotalWindows - before.TotalWindows),
            Math.Max(now.TimeUnixNano, written.TimeUnixNano),
            written.SeenAt);
    }
}
