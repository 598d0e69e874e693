using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace Verification.Silo.Telemetry;

/// <summary>
/// Bridges <see cref="System.Diagnostics.Metrics"/> instruments into a prometheus-net registry under the names the
/// dashboards use: dots become underscores, the unit is appended (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>;
/// milliseconds are turned into seconds), counters end in <c>_total</c>, and a gauge named <c>…_count</c> gets
/// <c>_current</c> appended (only histograms may end in <c>_count</c>), so <c>promtool check metrics</c> stays clean. prometheus-net's own <c>MeterAdapter</c> is not used because it prefixes the meter
/// name and turns counters into gauges, which would rename every series the dashboards and SLO rules query.
/// </summary>
/// <remarks>
/// Instruments bridged: those of meters made by this host's <see cref="IMeterFactory"/> (the silo meter, ASP.NET Core
/// hosting, routing, Kestrel; so test hosts in one process stay apart) and the process-wide <c>System.Runtime</c> meter.
/// The silo meter's tags are kept only when <see cref="MetricLabels.Allowed"/> names them; every family holds at most
/// <see cref="MetricsOptions.MaxSeriesPerMetric"/> label sets, the rest is dropped and counted.
/// </remarks>
internal sealed class MeterBridge : IDisposable
{
    public const string RuntimeMeter = "System.Runtime";

    private static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly IMetricFactory _factory;
    private readonly SeriesBudget _budget;

    public MeterBridge(CollectorRegistry registry, IMeterFactory scope, SeriesBudget budget)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _factory = Metrics.WithCustomRegistry(registry);
        _budget = budget;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) || (instrument.Meter.Scope is null && instrument.Meter.Name == RuntimeMeter))
            {
                _families[instrument] = new Family(instrument, instrument.Meter.Name == SiloMetrics.MeterName);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out var _);
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(() => _listener.RecordObservableInstruments());
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A metric name valid in Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*.</summary>
    internal static string MetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>A label name valid in Prometheus: [a-zA-Z_][a-zA-Z0-9_]*.</summary>
    internal static string LabelName(string name) => Sanitize(name, allowColon: false);

    private static string Sanitize(string name, bool allowColon)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || (allowColon && c == ':') || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_families.TryGetValue(instrument, out var family))
        {
            family.Record(this, value, tags);
        }
    }

    private enum Kind
    {
        Counter,
        ObservedCounter,
        UpDown,
        Gauge,
        Histogram,
    }

    /// <summary>One instrument: its prometheus-net children keyed by label names and values.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Action<double>> _children = new(StringComparer.Ordinal);
        private readonly Kind _kind;
        private readonly double[]? _bounds;
        private readonly bool _ownMeter;
        private readonly double _scale;

        public Family(Instrument instrument, bool ownMeter)
        {
            _ownMeter = ownMeter;
            var baseName = MetricName(instrument.Name);
            // Milliseconds are exported in the base unit, seconds, as Prometheus asks.
            _scale = instrument.Unit == "ms" ? 0.001 : 1;
            var suffix = instrument.Unit switch
            {
                "s" or "ms" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            if (!baseName.EndsWith(suffix, StringComparison.Ordinal))
            {
                baseName += suffix;
            }

            Help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
            var definition = instrument.GetType().GetGenericTypeDefinition();
            _kind = definition == typeof(Counter<>) ? Kind.Counter
                : definition == typeof(ObservableCounter<>) ? Kind.ObservedCounter
                : definition == typeof(UpDownCounter<>) ? Kind.UpDown
                : definition == typeof(Histogram<>) ? Kind.Histogram
                : Kind.Gauge;
            Name = _kind is Kind.Counter or Kind.ObservedCounter ? baseName + "_total"
                // Only histograms and summaries may end in _count (dotnet.timer.count is a gauge).
                : _kind != Kind.Histogram && baseName.EndsWith("_count", StringComparison.Ordinal) ? baseName + "_current"
                : baseName;
            if (_kind == Kind.Histogram)
            {
                _bounds = Advice(instrument)?.Select(b => b * _scale).ToArray() ?? (instrument.Unit is "s" or "ms" ? SecondsBounds : DefaultBounds);
            }
        }

        public string Name { get; }

        public string Help { get; }

        public void Record(MeterBridge bridge, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var pairs = new List<(string Name, string Value)>(tags.Length);
            foreach (var tag in tags)
            {
                var label = LabelName(tag.Key);
                if (!_ownMeter || MetricLabels.Allowed.Contains(label))
                {
                    pairs.Add((label, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
                }
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var key = string.Join('\u0001', pairs.Select(p => p.Name + "\u0002" + p.Value));
            if (!_children.TryGetValue(key, out var apply))
            {
                if (!bridge._budget.TryTake(Name, _children.Count))
                {
                    return;
                }

                apply = _children.GetOrAdd(key, _ => Create(bridge._factory, pairs));
            }

            apply(value * _scale);
        }

        private Action<double> Create(IMetricFactory factory, List<(string Name, string Value)> pairs)
        {
            string[] names = [.. pairs.Select(p => p.Name)];
            string[] values = [.. pairs.Select(p => p.Value)];
            switch (_kind)
            {
                case Kind.Counter:
                    var counter = factory.CreateCounter(Name, Help, names).WithLabels(values);
                    return v =>
                    {
                        if (v > 0)
                        {
                            counter.Inc(v);
                        }
                    };
                case Kind.ObservedCounter:
                    var observed = factory.CreateCounter(Name, Help, names).WithLabels(values);
                    return observed.IncTo;
                case Kind.UpDown:
                    var upDown = factory.CreateGauge(Name, Help, names).WithLabels(values);
                    return upDown.Inc;
                case Kind.Histogram:
                    var histogram = factory.CreateHistogram(Name, Help, names, new HistogramConfiguration { Buckets = _bounds }).WithLabels(values);
                    return histogram.Observe;
                default:
                    var gauge = factory.CreateGauge(Name, Help, names).WithLabels(values);
                    return gauge.Set;
            }
        }

        private static double[]? Advice(Instrument instrument) => instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
    }
}

/// <summary>
/// The cap on label sets per family (<see cref="MetricsOptions.MaxSeriesPerMetric"/>) shared by the meter bridge and the
/// scrape gauges, with the count of what it dropped: <c>verification_metrics_series_dropped_total{metric}</c>.
/// </summary>
internal sealed class SeriesBudget(CollectorRegistry registry, int maxSeriesPerMetric)
{
    public const string DroppedName = "verification_metrics_series_dropped_total";

    private readonly Counter _dropped = Metrics.WithCustomRegistry(registry).CreateCounter(
        DroppedName, "Measurements or readings not exported because their family already had Metrics:MaxSeriesPerMetric label sets.", MetricLabels.Metric);

    public int MaxSeriesPerMetric { get; } = maxSeriesPerMetric;

    /// <summary>True when a family holding <paramref name="held"/> label sets may take one more; else counts a drop.</summary>
    public bool TryTake(string metric, int held)
    {
        if (held < MaxSeriesPerMetric)
        {
            return true;
        }

        _dropped.WithLabels(metric).Inc();
        return false;
    }
}
