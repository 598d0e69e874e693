using Microsoft.Extensions.Options;
using Prometheus;

namespace Verification.Silo.Telemetry;

/// <summary>One value of a scrape gauge with its label values (in the order of the gauge's label names).</summary>
internal readonly record struct Reading(double Value, IReadOnlyList<string> Labels)
{
    public static Reading Of(double value, params string[] labels) => new(value, labels);
}

/// <summary>
/// Series computed when Prometheus scrapes (at most every <see cref="MetricsOptions.RefreshSeconds"/>), from state the
/// silo keeps anyway. Registering one is a line:
/// <code>gauges.Gauge("verification_delivery_x_ratio", "What it is.", ["service", "team"], ct => ReadAsync(ct));</code>
/// Names start with <c>verification_</c>, labels come from <see cref="MetricLabels.Allowed"/>, at most
/// <see cref="MetricsOptions.MaxSeriesPerMetric"/> label sets per family are exported (the first in label order; the
/// rest counted as dropped), and a label set no longer read disappears from the exposition.
/// </summary>
internal sealed partial class ScrapeGauges
{
    private readonly List<Source> _sources = [];
    private readonly List<Func<CancellationToken, Task>> _beforeRefresh = [];
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly SiloPrometheus _prometheus;
    private readonly TimeSpan _refresh;
    private readonly TimeProvider _time;
    private readonly ILogger<ScrapeGauges> _logger;
    private DateTimeOffset? _refreshedAt;

    public ScrapeGauges(SiloPrometheus prometheus, IOptions<MetricsOptions> options, TimeProvider time, ILogger<ScrapeGauges> logger)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        ArgumentNullException.ThrowIfNull(options);
        _prometheus = prometheus;
        _refresh = TimeSpan.FromSeconds(options.Value.RefreshSeconds);
        _time = time;
        _logger = logger;
        prometheus.Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    /// <summary>A gauge whose label sets and values are those <paramref name="read"/> returns at each refresh.</summary>
    public void Gauge(string name, string help, IReadOnlyList<string> labels, Func<CancellationToken, ValueTask<IEnumerable<Reading>>> read)
    {
        Check(name, labels);
        var gauge = Metrics.WithCustomRegistry(_prometheus.Registry).CreateGauge(name, help, [.. labels]);
        Add(new Source(name, read, values => gauge.WithLabels(values), (child, value) => ((Gauge.Child)child).Set(value)));
    }

    /// <summary>An unlabelled gauge; no series while <paramref name="read"/> returns null.</summary>
    public void Gauge(string name, string help, Func<CancellationToken, ValueTask<double?>> read) =>
        Gauge(name, help, [], async ct => await read(ct).ConfigureAwait(false) is { } value ? [Reading.Of(value)] : []);

    /// <summary>
    /// A counter whose readings are running totals kept elsewhere (e.g. deployments completed, counted from storage), so it
    /// stays right across restarts and silos.
    /// </summary>
    public void Counter(string name, string help, IReadOnlyList<string> labels, Func<CancellationToken, ValueTask<IEnumerable<Reading>>> read)
    {
        Check(name, labels);
        if (!name.EndsWith("_total", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Counter '{name}' must end in _total.", nameof(name));
        }

        var counter = Metrics.WithCustomRegistry(_prometheus.Registry).CreateCounter(name, help, [.. labels]);
        Add(new Source(name, read, values => counter.WithLabels(values), (child, value) => ((Counter.Child)child).IncTo(value)));
    }

    /// <summary>Runs before the readers of a refresh, e.g. to load a snapshot they share.</summary>
    public void BeforeRefresh(Func<CancellationToken, Task> load)
    {
        lock (_sources)
        {
            _beforeRefresh.Add(load);
        }
    }

    private static void Check(string name, IReadOnlyList<string> labels)
    {
        if (!name.StartsWith("verification_", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Metric '{name}' must start with verification_.", nameof(name));
        }

        MetricLabels.Check(name, labels);
    }

    private void Add(Source source)
    {
        lock (_sources)
        {
            _sources.Add(source);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_refreshedAt is { } at && now - at < _refresh)
            {
                return;
            }

            Source[] sources;
            Func<CancellationToken, Task>[] hooks;
            lock (_sources)
            {
                sources = [.. _sources];
                hooks = [.. _beforeRefresh];
            }

            foreach (var hook in hooks)
            {
                await hook(cancellationToken).ConfigureAwait(false);
            }

            foreach (var source in sources)
            {
                try
                {
                    source.Apply(await source.Read(cancellationToken).ConfigureAwait(false), _prometheus.Budget);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReadFailed(source.Name, e);
                }
            }

            _refreshedAt = now;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed snapshot leaves the series of the last refresh; the scrape itself still answers.
            LogReadFailed("(before refresh)", e);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the scrape gauge {Metric} failed; its series keep their last values.")]
    private partial void LogReadFailed(string metric, Exception exception);

    private sealed class Source(
        string name,
        Func<CancellationToken, ValueTask<IEnumerable<Reading>>> read,
        Func<string[], ChildBase> child,
        Action<ChildBase, double> set)
    {
        private Dictionary<string, ChildBase> _current = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public Func<CancellationToken, ValueTask<IEnumerable<Reading>>> Read { get; } = read;

        public void Apply(IEnumerable<Reading> readings, SeriesBudget budget)
        {
            var next = new Dictionary<string, ChildBase>(StringComparer.Ordinal);
            foreach (var reading in readings.OrderBy(r => Key(r.Labels), StringComparer.Ordinal))
            {
                var key = Key(reading.Labels);
                if (next.ContainsKey(key) || !budget.TryTake(Name, next.Count))
                {
                    continue;
                }

                var labelled = _current.Remove(key, out var existing) ? existing : child([.. reading.Labels]);
                set(labelled, reading.Value);
                next[key] = labelled;
            }

            foreach (var gone in _current.Values)
            {
                gone.Remove();
            }

            _current = next;
        }

        private static string Key(IReadOnlyList<string> labels) => string.Join('\u0001', labels);
    }
}
