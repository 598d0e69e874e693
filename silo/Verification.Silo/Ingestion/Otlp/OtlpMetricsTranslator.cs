using System.Globalization;
using Google.Protobuf.Collections;
using Verification.Api.Contracts;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// Maps an OTLP metrics export onto the registered metrics of the deployments it names
/// (see <see cref="MetricRoleIndex"/> for which stream feeds which metric, <see cref="SampleAssembler"/>
/// for batching and <see cref="CumulativeDeltaConverter"/> for cumulative temporality).
/// </summary>
/// <remarks>
/// Linking: <c>deployment.id</c> and <c>deployment.cohort</c> from the resource attributes, each
/// overridden by a data point attribute of the same key. Instrument types: monotonic Sum → RATIO
/// count/total; Gauge and non-monotonic Sum → CONTINUOUS values; Histogram and ExponentialHistogram
/// → CONTINUOUS observations, RATIO count/total (their count) and the share above a threshold;
/// Summary → rejected as unsupported. Points flagged "no recorded value" are skipped silently.
/// </remarks>
internal sealed class OtlpMetricsTranslator(CumulativeDeltaConverter converter, TelemetryIngestionOptions options)
{
    private const string Source = "otlp";
    private const uint NoRecordedValue = (uint)DataPointFlags.NoRecordedValueMask;

    /// <summary>The deployment ids a request names, to fetch their targets before <see cref="Translate"/>.</summary>
    /// <remarks>Plain loops over the points (no enumerator objects): this runs over every point of every request.</remarks>
    public static IReadOnlySet<string> DeploymentIds(ExportMetricsServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            AddDeploymentId(ids, resourceMetrics.Resource?.Attributes);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    switch (metric.DataCase)
                    {
                        case Metric.DataOneofCase.Gauge:
                            AddDeploymentIds(ids, metric.Gauge.DataPoints, static p => p.Attributes);
                            break;
                        case Metric.DataOneofCase.Sum:
                            AddDeploymentIds(ids, metric.Sum.DataPoints, static p => p.Attributes);
                            break;
                        case Metric.DataOneofCase.Histogram:
                            AddDeploymentIds(ids, metric.Histogram.DataPoints, static p => p.Attributes);
                            break;
                        case Metric.DataOneofCase.ExponentialHistogram:
                            AddDeploymentIds(ids, metric.ExponentialHistogram.DataPoints, static p => p.Attributes);
                            break;
                        case Metric.DataOneofCase.Summary:
                            AddDeploymentIds(ids, metric.Summary.DataPoints, static p => p.Attributes);
                            break;
                        default:
                            break;
                    }
                }
            }
        }

        return ids;
    }

    private static void AddDeploymentIds<TPoint>(
        HashSet<string> ids, RepeatedField<TPoint> points, Func<TPoint, RepeatedField<KeyValue>> attributes)
    {
        for (var i = 0; i < points.Count; i++)
        {
            AddDeploymentId(ids, attributes(points[i]));
        }
    }

    private static void AddDeploymentId(HashSet<string> ids, RepeatedField<KeyValue>? attributes)
    {
        if (StringAttribute(attributes, TelemetryLink.DeploymentAttribute) is { Length: > 0 } id)
        {
            ids.Add(id);
        }
    }

    /// <summary>
    /// Translates a fully decoded request. <paramref name="lookup"/> answers null for an unknown
    /// deployment. Converter state changes only on <see cref="TelemetryTranslation.Commit"/>.
    /// </summary>
    public TelemetryTranslation Translate(ExportMetricsServiceRequest request, Func<string, DeploymentTelemetryTarget?> lookup)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(lookup);
        var session = converter.BeginSession();
        var run = new Run(session, new TargetResolver(lookup, prometheusNames: false), options);
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = resourceMetrics.Resource?.Attributes ?? [];
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var scope = scopeMetrics.Scope is { } s ? $"{s.Name}\u001f{s.Version}" : string.Empty;
                foreach (var metric in scopeMetrics.Metrics)
                {
                    run.AddMetric(resource, scope, metric);
                }
            }
        }

        return new TelemetryTranslation(run.Assembler.Build(), run.Accepted, run.Rejections, session);
    }

    private static string? StringAttribute(RepeatedField<KeyValue>? attributes, string key)
    {
        if (attributes is null)
        {
            return null;
        }

        // The last occurrence wins, as for repeated keys in a map: searched from the end.
        for (var i = attributes.Count - 1; i >= 0; i--)
        {
            var attribute = attributes[i];
            if (attribute.Key == key && attribute.Value?.ValueCase == AnyValue.ValueOneofCase.StringValue)
            {
                return attribute.Value.StringValue;
            }
        }

        return null;
    }

    /// <summary>The state of one translation: assembler, rejections, counters.</summary>
    private sealed class Run(DeltaSession session, TargetResolver resolver, TelemetryIngestionOptions options)
    {
        private readonly List<(string Key, string Value, int Order)> _attributes = [];
        private readonly KeyBuilder _key = new();
        private RepeatedField<KeyValue>? _resource;
        private string? _resourceDeployment;
        private string? _resourceCohort;

        public SampleAssembler Assembler { get; } = new(Source, session, options);

        public RejectionTally Rejections { get; } = new();

        public long Accepted { get; private set; }

        public void AddMetric(RepeatedField<KeyValue> resource, string scope, Metric metric)
        {
            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    foreach (var point in metric.Gauge.DataPoints)
                    {
                        Number(resource, scope, metric.Name, point, counter: null);
                    }

                    break;
                case Metric.DataOneofCase.Sum:
                    foreach (var point in metric.Sum.DataPoints)
                    {
                        Number(resource, scope, metric.Name, point, metric.Sum.IsMonotonic ? metric.Sum.AggregationTemporality : null);
                    }

                    break;
                case Metric.DataOneofCase.Histogram:
                    foreach (var point in metric.Histogram.DataPoints)
                    {
                        Explicit(resource, scope, metric.Name, point, metric.Histogram.AggregationTemporality);
                    }

                    break;
                case Metric.DataOneofCase.ExponentialHistogram:
                    foreach (var point in metric.ExponentialHistogram.DataPoints)
                    {
                        Exponential(resource, scope, metric.Name, point, metric.ExponentialHistogram.AggregationTemporality);
                    }

                    break;
                case Metric.DataOneofCase.Summary:
                    foreach (var point in metric.Summary.DataPoints)
                    {
                        if (Resolve(resource, point.Attributes, point.Flags, metric.Name, out _, out _, out _))
                        {
                            Rejections.Add(RejectReason.UnsupportedType, $"summary '{metric.Name}'");
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        private void Number(
            RepeatedField<KeyValue> resource, string scope, string name, NumberDataPoint point, AggregationTemporality? counter)
        {
            if (!Resolve(resource, point.Attributes, point.Flags, name, out var link, out var target, out var roles)
                || !CheckTime(name, point.TimeUnixNano))
            {
                return;
            }

            double value;
            switch (point.ValueCase)
            {
                case NumberDataPoint.ValueOneofCase.AsDouble:
                    value = point.AsDouble;
                    break;
                case NumberDataPoint.ValueOneofCase.AsInt:
                    value = point.AsInt;
                    break;
                default:
                    Rejections.Add(RejectReason.BadValue, $"'{name}' point without a value");
                    return;
            }

            if (!double.IsFinite(value))
            {
                Rejections.Add(RejectReason.BadValue, $"'{name}' value {value.ToString(CultureInfo.InvariantCulture)}");
                return;
            }

            var key = SeriesKey(counter is null ? "gauge" : "counter", link, name, resource, scope, point.Attributes);
            var identity = new PointIdentity(key, point.StartTimeUnixNano, point.TimeUnixNano, BitConverter.DoubleToUInt64Bits(value));
            session.NoteLink(link, point.TimeUnixNano);
            if (counter is not { } temporality)
            {
                if (Reserve(roles, 1, name))
                {
                    Count(Assembler.RouteGauge(link, roles, value, point.TimeUnixNano, identity), name, "gauge");
                }

                return;
            }

            if (value < 0)
            {
                Rejections.Add(RejectReason.BadValue, $"monotonic sum '{name}' is negative");
                return;
            }

            var total = new CounterTotal(value);
            if (!Increase(temporality, name, key, link, target, point.StartTimeUnixNano, point.TimeUnixNano, total, out var increase))
            {
                return;
            }

            Count(Assembler.RouteCounter(link, roles, increase?.Value, point.TimeUnixNano, identity), name, "monotonic sum");
        }

        private void Explicit(
            RepeatedField<KeyValue> resource, string scope, string name, HistogramDataPoint point, AggregationTemporality temporality)
        {
            if (!Resolve(resource, point.Attributes, point.Flags, name, out var link, out var target, out var roles)
                || !CheckTime(name, point.TimeUnixNano))
            {
                return;
            }

            if (ExplicitDistribution.Validate(point.ExplicitBounds, point.BucketCounts, point.Count) is { } problem)
            {
                Rejections.Add(RejectReason.BadValue, $"histogram '{name}': {problem}");
                return;
            }

            var counts = point.BucketCounts.Count == 0 ? [point.Count] : point.BucketCounts.ToArray();
            var distribution = new ExplicitDistribution(
                point.ExplicitBounds.ToArray(), counts, point.HasSum ? point.Sum : null,
                point.HasMin ? point.Min : null, point.HasMax ? point.Max : null);
            var series = new HistogramSeries(
                link, target, roles, SeriesKey(nameof(ExplicitDistribution), link, name, resource, scope, point.Attributes));
            Histogram(series, name, temporality, point.StartTimeUnixNano, point.TimeUnixNano, distribution, point.Sum);
        }

        private void Exponential(
            RepeatedField<KeyValue> resource, string scope, string name, ExponentialHistogramDataPoint point,
            AggregationTemporality temporality)
        {
            if (!Resolve(resource, point.Attributes, point.Flags, name, out var link, out var target, out var roles)
                || !CheckTime(name, point.TimeUnixNano))
            {
                return;
            }

            if (point.Scale is < ExponentialDistribution.MinScale or > ExponentialDistribution.MaxScale
                || !double.IsFinite(point.ZeroThreshold) || point.ZeroThreshold < 0)
            {
                Rejections.Add(RejectReason.BadValue, $"exponential histogram '{name}' scale {point.Scale} or zero threshold out of range");
                return;
            }

            var distribution = new ExponentialDistribution(
                point.Scale, point.ZeroCount, point.ZeroThreshold,
                ExponentialDistribution.FromDense(point.Positive?.Offset ?? 0, point.Positive?.BucketCounts ?? []),
                ExponentialDistribution.FromDense(point.Negative?.Offset ?? 0, point.Negative?.BucketCounts ?? []),
                point.HasSum ? point.Sum : null, point.HasMin ? point.Min : null, point.HasMax ? point.Max : null);
            if (distribution.Count != point.Count)
            {
                Rejections.Add(
                    RejectReason.BadValue,
                    $"exponential histogram '{name}': count {point.Count} differs from its buckets {distribution.Count}");
                return;
            }

            var series = new HistogramSeries(
                link, target, roles, SeriesKey(nameof(ExponentialDistribution), link, name, resource, scope, point.Attributes));
            Histogram(series, name, temporality, point.StartTimeUnixNano, point.TimeUnixNano, distribution, point.Sum);
        }

        private void Histogram<T>(
            HistogramSeries series, string name, AggregationTemporality temporality, ulong start, ulong time, T distribution, double sum)
            where T : Distribution, ICumulative<T>
        {
            var (link, target, roles, key) = series;
            var identity = new PointIdentity(key, start, time, distribution.Count, BitConverter.DoubleToUInt64Bits(sum));
            session.NoteLink(link, time);
            if (!Increase(temporality, name, key, link, target, start, time, distribution, out var increase))
            {
                return;
            }

            if (increase is not null && roles.Any(r => r.Kind == MetricRoleKind.Value) && !increase.HasRepresentativeValues)
            {
                Rejections.Add(RejectReason.BadValue, $"histogram '{name}' has observations without a finite representative value");
                return;
            }

            if (Reserve(roles, increase?.Count ?? 0, name))
            {
                Count(Assembler.RouteDistribution(link, roles, increase, time, identity), name, "histogram");
            }
        }

        /// <summary>Delta points pass through; cumulative ones go through the converter. False when rejected.</summary>
        private bool Increase<T>(
            AggregationTemporality temporality, string name, string key, TelemetryLink link, DeploymentTelemetryTarget target,
            ulong start, ulong time, T value, out T? increase)
            where T : class, ICumulative<T>
        {
            increase = null;
            switch (temporality)
            {
                case AggregationTemporality.Delta:
                    increase = value;
                    return true;
                case AggregationTemporality.Cumulative:
                    var outcome = session.ToDelta(key, link, target.StartedAt, start, time, value, out increase);
                    if (outcome == DeltaOutcome.TooManySeries)
                    {
                        Rejections.Add(RejectReason.TooManySeries, $"'{name}'");
                        return false;
                    }

                    return true;
                default:
                    Rejections.Add(RejectReason.BadValue, $"'{name}' without aggregation temporality");
                    return false;
            }
        }

        private bool Reserve(IReadOnlyList<MetricRole> roles, ulong observations, string name)
        {
            if (Assembler.TryReserveObservations(roles, observations))
            {
                return true;
            }

            Rejections.Add(RejectReason.TooManyObservations, $"'{name}'");
            return false;
        }

        private void Count(bool routed, string name, string type)
        {
            if (routed)
            {
                Accepted++;
            }
            else
            {
                Rejections.Add(RejectReason.UnsupportedType, $"{type} '{name}'");
            }
        }

        private bool CheckTime(string name, ulong timeUnixNano)
        {
            // OTLP metrics.proto: data points with a zero time_unix_nano SHOULD be rejected.
            if (timeUnixNano != 0)
            {
                return true;
            }

            Rejections.Add(RejectReason.BadValue, $"'{name}' point without time_unix_nano");
            return false;
        }

        private bool Resolve(
            RepeatedField<KeyValue> resource, RepeatedField<KeyValue> attributes, uint flags, string name,
            out TelemetryLink link, out DeploymentTelemetryTarget target, out IReadOnlyList<MetricRole> roles)
        {
            link = default;
            target = null!;
            roles = [];
            if ((flags & NoRecordedValue) != 0)
            {
                return false;
            }

            if (!ReferenceEquals(resource, _resource))
            {
                // Every point of a resource shares its attributes: read them once per resource, not once per point.
                _resource = resource;
                _resourceDeployment = StringAttribute(resource, TelemetryLink.DeploymentAttribute);
                _resourceCohort = StringAttribute(resource, TelemetryLink.CohortAttribute);
            }

            var deploymentId = StringAttribute(attributes, TelemetryLink.DeploymentAttribute) ?? _resourceDeployment;
            var cohort = StringAttribute(attributes, TelemetryLink.CohortAttribute) ?? _resourceCohort;
            if (!resolver.TryResolve(deploymentId, cohort, out link, out var found, out var index, out var reason))
            {
                Rejections.Add(reason, reason switch
                {
                    RejectReason.MissingDeployment => $"'{name}'",
                    RejectReason.MissingCohort => $"'{name}' of '{deploymentId}' with cohort '{cohort}'",
                    _ => $"'{deploymentId}'",
                });
                return false;
            }

            roles = index!.RolesOf(name);
            if (roles.Count == 0)
            {
                Rejections.Add(RejectReason.UnknownMetric, $"'{name}' of '{deploymentId}'");
                return false;
            }

            target = found!;
            return true;
        }

        /// <summary>
        /// Identifies a series: instrument type, link, name, and every other attribute of resource,
        /// scope and point (the point's win on equal keys), sorted, so that two pods of one cohort
        /// (different service.instance.id) are separate cumulative series. Built in buffers this run reuses.
        /// </summary>
        private string SeriesKey(
            string type, TelemetryLink link, string name, RepeatedField<KeyValue> resource, string scope, RepeatedField<KeyValue> point)
        {
            var attributes = _attributes;
            attributes.Clear();
            AddAttributes(attributes, resource);
            AddAttributes(attributes, point);
            // By key, and on equal keys by position, so that the last occurrence (the point's) is the one kept below.
            attributes.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key) is var byKey and not 0 ? byKey : a.Order.CompareTo(b.Order));

            _key.Clear();
            _key.Append(Source).Append('\u001f').Append(type).Append('\u001f').Append(link.DeploymentId).Append('\u001f')
                .Append(CohortName(link.Cohort)).Append('\u001f').Append(name).Append('\u001f').Append(scope);
            for (var i = 0; i < attributes.Count; i++)
            {
                if (i + 1 < attributes.Count && attributes[i + 1].Key == attributes[i].Key)
                {
                    continue;
                }

                _key.Append('\u001e').Append(attributes[i].Key).Append('=').Append(attributes[i].Value);
            }

            // The converter remembers the key of every series it has seen: an existing series' key is its string, not a new one.
            return session.SeriesKey(_key.Chars);
        }

        /// <summary>The cohort as <see cref="Enum.ToString()"/> spells it (the key's text), without boxing it each point.</summary>
        private static string CohortName(Cohort cohort) => cohort switch
        {
            Cohort.Baseline => nameof(Cohort.Baseline),
            Cohort.Canary => nameof(Cohort.Canary),
            _ => cohort.ToString(),
        };

        private static void AddAttributes(List<(string Key, string Value, int Order)> attributes, RepeatedField<KeyValue> source)
        {
            foreach (var attribute in source)
            {
                if (attribute.Key is not (TelemetryLink.DeploymentAttribute or TelemetryLink.CohortAttribute))
                {
                    var value = attribute.Value switch
                    {
                        null => string.Empty,
                        { ValueCase: AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
                        var v => v.ToString(),
                    };
                    attributes.Add((attribute.Key, value, attributes.Count));
                }
            }
        }

        /// <summary>A histogram point's link, deployment, the roles its name plays and its series key.</summary>
        private readonly record struct HistogramSeries(
            TelemetryLink Link, DeploymentTelemetryTarget Target, IReadOnlyList<MetricRole> Roles, string Key);
    }
}
