using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Verification.Silo.Telemetry;

/// <summary>
/// Collects <see cref="System.Diagnostics.Metrics"/> instruments of the chosen meters and writes them in the
/// Prometheus text exposition format 0.0.4 (no Prometheus client library is on our package feed).
/// Counters become <c>counter</c> families with the <c>_total</c> suffix, gauges and up-down counters <c>gauge</c>,
/// histograms <c>histogram</c> families with cumulative <c>_bucket{le}</c>, <c>_sum</c> and <c>_count</c>.
/// Names: dots and other invalid characters become underscores; the unit is appended as Prometheus conventions ask
/// (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>).
/// </summary>
internal sealed class PrometheusExposition : IDisposable
{
    /// <summary>Default histogram bounds: OpenTelemetry's recommended bounds for durations in seconds.</summary>
    private static readonly double[] SecondsBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly HashSet<string> _meters;

    public PrometheusExposition(IEnumerable<string> meters)
    {
        _meters = [.. meters];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Contains(instrument.Meter.Name))
            {
                _families[instrument] = new Family(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, state) => _families.TryRemove(instrument, out var removed);
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The exposition content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public string Write()
    {
        // Observable instruments report when asked; each observation replaces the gauge's value.
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _families.Values.GroupBy(f => f.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = group.First();
            text.Append("# HELP ").Append(group.Key).Append(' ').Append(EscapeHelp(first.Help)).Append('\n');
            text.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.Type).Append('\n');
            foreach (var family in group)
            {
                family.WriteSamples(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_families.TryGetValue(instrument, out var family))
        {
            family.Record(value, tags);
        }
    }

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A metric name valid in Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*.</summary>
    internal static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (i > 0 && c is >= '0' and <= '9');
            if (!ok)
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string UnitSuffix(string? unit) => unit switch
    {
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        _ => "",
    };

    private static string FormatValue(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument: its series keyed by their rendered label set.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, KnownTags[]> _known = new();
        private readonly double[]? _bounds;
        private readonly bool _cumulative;

        public Family(Instrument instrument)
        {
            var baseName = Sanitize(instrument.Name);
            var suffix = UnitSuffix(instrument.Unit);
            if (!baseName.EndsWith(suffix, StringComparison.Ordinal))
            {
                baseName += suffix;
            }

            Help = instrument.Description ?? instrument.Name;
            var definition = instrument.GetType().GetGenericTypeDefinition();
            if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
            {
                Type = "counter";
                Name = baseName + "_total";
                _cumulative = definition == typeof(Counter<>);
            }
            else if (definition == typeof(Histogram<>))
            {
                Type = "histogram";
                Name = baseName;
                _bounds = instrument.Unit == "s" ? SecondsBounds : DefaultBounds;
            }
            else
            {
                Type = "gauge";
                Name = baseName;
                _cumulative = definition == typeof(UpDownCounter<>);
            }
        }

        public string Name { get; }

        public string Type { get; }

        public string Help { get; }

        /// <summary>
        /// Records one measurement without a lock and, once a label set is known, without allocating: every answered
        /// request records several (ASP.NET Core's and Kestrel's meters), so when thousands of long polls are answered at
        /// once a lock per series made them queue behind each other (measured: bench/README.md, long-poll waiters).
        /// </summary>
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            if (_bounds is not null)
            {
                var bucket = Array.BinarySearch(_bounds, value);
                Interlocked.Increment(ref series.Buckets[bucket >= 0 ? bucket : ~bucket]);
                Add(ref series.Sum, value);
            }
            else if (_cumulative)
            {
                Add(ref series.Value, value);
            }
            else
            {
                Volatile.Write(ref series.Value, value);
            }
        }

        private static void Add(ref double target, double value)
        {
            var current = Volatile.Read(ref target);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref target, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        /// <summary>
        /// The series of a tag set: found by a hash of the tags and an exact comparison (no rendering), rendered and
        /// added only the first time a tag set is seen.
        /// </summary>
        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = new HashCode();
            foreach (var tag in tags)
            {
                hash.Add(tag.Key, StringComparer.Ordinal);
                hash.Add(tag.Value);
            }

            var code = hash.ToHashCode();
            if (_known.TryGetValue(code, out var entries))
            {
                foreach (var entry in entries)
                {
                    if (entry.Matches(tags))
                    {
                        return entry.Series;
                    }
                }
            }

            var labels = RenderLabels(tags);
            var series = _series.GetOrAdd(labels, _ => new Series(_bounds?.Length ?? 0));
            var known = new KnownTags(tags.ToArray(), series);
            _known.AddOrUpdate(code, _ => [known], (_, list) => [.. list, known]);
            return series;
        }

        public void WriteSamples(StringBuilder text)
        {
            foreach (var (labels, series) in _series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (_bounds is null)
                {
                    Line(text, Name, labels, Volatile.Read(ref series.Value));
                    continue;
                }

                // Read without stopping writers: _count is the +Inf bucket, so the two always agree; _sum may include a
                // measurement whose bucket was read just before (a scrape is a moment, not a transaction).
                long cumulative = 0;
                for (var i = 0; i <= _bounds.Length; i++)
                {
                    cumulative += Volatile.Read(ref series.Buckets[i]);
                    var le = i < _bounds.Length ? FormatValue(_bounds[i]) : "+Inf";
                    var withLe = labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";
                    Line(text, Name + "_bucket", withLe, cumulative);
                }

                Line(text, Name + "_sum", labels, Volatile.Read(ref series.Sum));
                Line(text, Name + "_count", labels, cumulative);
            }
        }

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(FormatValue(value)).Append('\n');
        }

        private static string RenderLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }

            var pairs = new List<(string Key, string Value)>(tags.Length);
            foreach (var tag in tags)
            {
                pairs.Add((Sanitize(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(',', pairs.Select(p => $"{p.Key}=\"{EscapeLabel(p.Value)}\""));
        }
    }

    private sealed class Series(int bounds)
    {
        public double Value;
        public double Sum;
        public readonly long[] Buckets = new long[bounds + 1];
    }

    /// <summary>A tag set seen before (its keys and values as given) and its series.</summary>
    private sealed class KnownTags(KeyValuePair<string, object?>[] tags, Series series)
    {
        public Series Series { get; } = series;

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
        {
            if (other.Length != tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                if (!string.Equals(tags[i].Key, other[i].Key, StringComparison.Ordinal) || !Equals(tags[i].Value, other[i].Value))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
