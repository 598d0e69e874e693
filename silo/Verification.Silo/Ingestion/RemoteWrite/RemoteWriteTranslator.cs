using System.Globalization;
using System.Text;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Prometheus;

namespace Verification.Silo.Ingestion.RemoteWrite;

/// <summary>
/// Maps a Prometheus remote-write 1.0 request onto registered metrics, sharing the metric index,
/// converter and assembler with OTLP.
/// </summary>
/// <remarks>
/// <para>Linking: labels <c>deployment_id</c> and <c>deployment_cohort</c> (<c>baseline</c>|<c>canary</c>);
/// the name is <c>__name__</c>. Remote write 1.0 carries no type per sample, so the metric that takes
/// a name decides how it is read: a <c>countMetric</c>/<c>totalMetric</c> is a cumulative counter
/// (start time unknown: the first sample is the baseline unless the deployment and cohort were
/// already seen earlier, a decrease is a reset), a <c>valueMetric</c> is a gauge.</para>
/// <para>Names: the registered name as is, with characters outside <c>[a-zA-Z0-9_:]</c> replaced by
/// <c>_</c>, and for counters also with <c>_total</c> appended. Classic histograms: the series
/// <c>h_bucket{le=…}</c> of one label set and timestamp are put together into the histogram
/// <c>h</c> (cumulative <c>le</c> counts differenced into buckets, the <c>+Inf</c> bucket required),
/// which then serves CONTINUOUS observations, the share above a threshold, and count/total.
/// <c>h_count</c> and <c>h_sum</c> are ordinary counters when a metric names them. Metadata,
/// exemplars and native histograms are not read. Staleness markers (the NaN with bits
/// 0x7ff0000000000002) are skipped; other NaN and infinite values are rejected.</para>
/// </remarks>
internal sealed class RemoteWriteTranslator(CumulativeDeltaConverter converter, TelemetryIngestionOptions options)
{
    private const string Source = "prw";
    private const string NameLabel = "__name__";
    private const string BucketSuffix = "_bucket";
    private const string LeLabel = "le";
    private const ulong StaleNaNBits = 0x7ff0000000000002;
    private const ulong NanosPerMilli = 1_000_000;

    /// <summary>The deployment ids a request names, to fetch their targets before <see cref="Translate"/>.</summary>
    public static IReadOnlySet<string> DeploymentIds(WriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Timeseries
            .Select(series => series.Labels.LastOrDefault(l => l.Name == TelemetryLink.DeploymentLabel)?.Value)
            .OfType<string>()
            .Where(id => id.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }

    public static bool IsStaleMarker(double value) => BitConverter.DoubleToUInt64Bits(value) == StaleNaNBits;

    public TelemetryTranslation Translate(WriteRequest request, Func<string, DeploymentTelemetryTarget?> lookup)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(lookup);
        var session = converter.BeginSession();
        var resolver = new TargetResolver(lookup, prometheusNames: true);
        var assembler = new SampleAssembler(Source, session, options);
        var rejections = new RejectionTally();
        var histograms = new SortedDictionary<string, HistogramGroup>(StringComparer.Ordinal);
        long accepted = 0;

        foreach (var series in request.Timeseries)
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var label in series.Labels)
            {
                labels[label.Name] = label.Value;
            }

            var name = labels.GetValueOrDefault(NameLabel) ?? string.Empty;
            var samples = series.Samples.Where(s => !IsStaleMarker(s.Value)).OrderBy(s => s.Timestamp).ToList();
            if (samples.Count == 0)
            {
                continue;
            }

            if (!resolver.TryResolve(
                    labels.GetValueOrDefault(TelemetryLink.DeploymentLabel), labels.GetValueOrDefault(TelemetryLink.CohortLabel),
                    out var link, out _, out var index, out var reason))
            {
                rejections.Add(reason, $"'{name}'", samples.Count);
                continue;
            }

            var roles = index!.RolesOf(name);
            if (roles.Count == 0 && name.EndsWith(BucketSuffix, StringComparison.Ordinal) && labels.TryGetValue(LeLabel, out var le)
                && index.RolesOf(name[..^BucketSuffix.Length]) is { Count: > 0 } histogramRoles)
            {
                var groupKey = Key(link, name[..^BucketSuffix.Length], labels, "histogram");
                if (!histograms.TryGetValue(groupKey, out var group))
                {
                    group = new HistogramGroup(link, name[..^BucketSuffix.Length], histogramRoles);
                    histograms[groupKey] = group;
                }

                group.Add(le, samples);
                continue;
            }

            if (roles.Count == 0)
            {
                rejections.Add(RejectReason.UnknownMetric, $"'{name}' of '{link.DeploymentId}'", samples.Count);
                continue;
            }

            var key = Key(link, name, labels, "series");
            foreach (var sample in samples)
            {
                if (!double.IsFinite(sample.Value) || sample.Timestamp <= 0)
                {
                    rejections.Add(
                        RejectReason.BadValue,
                        string.Create(CultureInfo.InvariantCulture, $"'{name}' sample {sample.Value} at {sample.Timestamp}"));
                    continue;
                }

                var time = (ulong)sample.Timestamp * NanosPerMilli;
                var identity = new PointIdentity(key, 0, (ulong)sample.Timestamp, BitConverter.DoubleToUInt64Bits(sample.Value));
                session.NoteLink(link, time);
                if (!assembler.TryReserveObservations(roles, 1))
                {
                    rejections.Add(RejectReason.TooManyObservations, $"'{name}'");
                    continue;
                }

                var routed = assembler.RouteGauge(link, roles, sample.Value, time, identity);
                if (roles.Any(r => r.Kind is MetricRoleKind.Count or MetricRoleKind.Total))
                {
                    if (sample.Value < 0)
                    {
                        rejections.Add(RejectReason.BadValue, $"counter '{name}' is negative");
                        continue;
                    }

                    var outcome = session.ToDelta(key, link, null, 0, time, new CounterTotal(sample.Value), out var increase);
                    if (outcome == DeltaOutcome.TooManySeries)
                    {
                        rejections.Add(RejectReason.TooManySeries, $"'{name}'");
                        continue;
                    }

                    routed |= assembler.RouteCounter(link, roles, increase?.Value, time, identity);
                }

                if (routed)
                {
                    accepted++;
                }
                else
                {
                    rejections.Add(RejectReason.UnsupportedType, $"'{name}'");
                }
            }
        }

        foreach (var (key, group) in histograms)
        {
            accepted += group.Route(key, session, assembler, rejections);
        }

        return new TelemetryTranslation(assembler.Build(), accepted, rejections, session);
    }

    /// <summary>Series identity: link, name and every other label, sorted (<c>le</c> left out for histogram groups).</summary>
    private static string Key(TelemetryLink link, string name, SortedDictionary<string, string> labels, string type)
    {
        var key = new StringBuilder().AppendJoin('\u001f', Source, type, link.DeploymentId, link.Cohort, name);
        foreach (var (k, v) in labels)
        {
            var linkOrName = k is NameLabel or TelemetryLink.DeploymentLabel or TelemetryLink.CohortLabel;
            if (!linkOrName && !(type == "histogram" && k == LeLabel))
            {
                key.Append('\u001e').Append(k).Append('=').Append(v);
            }
        }

        return key.ToString();
    }

    /// <summary>The <c>_bucket</c> series of one classic histogram (one label set), by timestamp.</summary>
    private sealed class HistogramGroup(TelemetryLink link, string name, IReadOnlyList<Otlp.MetricRole> roles)
    {
        private readonly SortedDictionary<long, List<(string Le, double Value)>> _byTime = [];

        public void Add(string le, IEnumerable<Sample> samples)
        {
            foreach (var sample in samples)
            {
                if (!_byTime.TryGetValue(sample.Timestamp, out var buckets))
                {
                    buckets = [];
                    _byTime[sample.Timestamp] = buckets;
                }

                buckets.Add((le, sample.Value));
            }
        }

        /// <summary>Builds one histogram per timestamp and routes its increase; returns the bucket samples accepted.</summary>
        public long Route(string key, DeltaSession session, SampleAssembler assembler, RejectionTally rejections)
        {
            long accepted = 0;
            foreach (var (timestamp, buckets) in _byTime)
            {
                if (Build(buckets) is not { } distribution || timestamp <= 0)
                {
                    rejections.Add(
                        RejectReason.BadValue,
                        $"classic histogram '{name}' at {timestamp}: needs finite, non-decreasing whole le counts with +Inf",
                        buckets.Count);
                    continue;
                }

                var time = (ulong)timestamp * NanosPerMilli;
                session.NoteLink(link, time);
                var outcome = session.ToDelta(key, link, null, 0, time, distribution, out var increase);
                if (outcome == DeltaOutcome.TooManySeries)
                {
                    rejections.Add(RejectReason.TooManySeries, $"'{name}'", buckets.Count);
                    continue;
                }

                if (increase is not null && roles.Any(r => r.Kind == MetricRoleKind.Value) && !increase.HasRepresentativeValues)
                {
                    rejections.Add(RejectReason.BadValue, $"classic histogram '{name}' has only the +Inf bucket", buckets.Count);
                    continue;
                }

                if (!assembler.TryReserveObservations(roles, increase?.Count ?? 0))
                {
                    rejections.Add(RejectReason.TooManyObservations, $"'{name}'", buckets.Count);
                    continue;
                }

                var identity = new PointIdentity(key, 0, (ulong)timestamp, distribution.Count);
                assembler.RouteDistribution(link, roles, increase, time, identity);
                accepted += buckets.Count;
            }

            return accepted;
        }

        private static ExplicitDistribution? Build(List<(string Le, double Value)> buckets)
        {
            var parsed = new List<(double Le, double Value)>(buckets.Count);
            foreach (var (le, value) in buckets)
            {
                // Prometheus spells the open bucket "+Inf", which .NET does not parse.
                if (le == "+Inf")
                {
                    parsed.Add((double.PositiveInfinity, value));
                }
                else if (double.TryParse(le, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) && double.IsFinite(bound))
                {
                    parsed.Add((bound, value));
                }
                else
                {
                    return null;
                }
            }

            parsed.Sort((a, b) => a.Le.CompareTo(b.Le));
            if (parsed.Count == 0 || !double.IsPositiveInfinity(parsed[^1].Le))
            {
                return null;
            }

            var bounds = new double[parsed.Count - 1];
            var counts = new ulong[parsed.Count];
            var previous = 0.0;
            for (var i = 0; i < parsed.Count; i++)
            {
                var (bound, cumulative) = parsed[i];
                if (!double.IsFinite(cumulative) || cumulative < previous || cumulative != Math.Floor(cumulative)
                    || (i > 0 && bound == parsed[i - 1].Le))
                {
                    return null;
                }

                counts[i] = (ulong)(cumulative - previous);
                previous = cumulative;
                if (i < bounds.Length)
                {
                    bounds[i] = bound;
                }
            }

            return new ExplicitDistribution(bounds, counts, sum: null, min: null, max: null);
        }
    }
}
