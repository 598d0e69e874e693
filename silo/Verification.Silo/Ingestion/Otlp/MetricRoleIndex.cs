using System.Globalization;
using System.Text;
using Verification.Api.Contracts;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>What a telemetry stream is to one registered metric.</summary>
internal enum MetricRoleKind
{
    /// <summary>RATIO <c>source.countMetric</c>: the increase of a monotonic sum (or a histogram's count) is <c>count</c>.</summary>
    Count,
    /// <summary>RATIO <c>source.totalMetric</c>: the increase of a monotonic sum (or a histogram's count) is <c>total</c>.</summary>
    Total,
    /// <summary>RATIO <c>countMetric = "h&gt;t"</c>: observations of histogram h above t are <c>count</c>.</summary>
    CountAbove,
    /// <summary>RATIO <c>countMetric = "h&gt;t"</c> with no other total: the same histogram gives both count and total.</summary>
    ShareAbove,
    /// <summary>CONTINUOUS <c>source.valueMetric</c> (default: the metric's own name): gauge values or histogram observations.</summary>
    Value,
}

/// <summary>One registered metric taking one telemetry stream in one role.</summary>
internal sealed record MetricRole(MetricDefinition Metric, MetricRoleKind Kind, double Threshold = double.NaN);

/// <summary>
/// The metrics of one deployment indexed by the telemetry name each takes.
/// </summary>
/// <remarks>
/// "Share above a latency threshold" opt-in: a RATIO metric whose <c>source.countMetric</c> is
/// <c>histogramName&gt;threshold</c> (e.g. <c>http.server.request.duration&gt;0.5</c>, threshold in the
/// histogram's unit) counts the observations above the threshold as <c>count</c>; <c>total</c> is the
/// histogram's count unless <c>source.totalMetric</c> names another stream. The count is exact when
/// the threshold is a bucket boundary; otherwise the bucket holding it goes wholly to the side of its
/// representative value (see <see cref="Distribution"/>).
/// </remarks>
internal sealed class MetricRoleIndex
{
    private const char ThresholdSeparator = '>';
    private readonly Dictionary<string, List<MetricRole>> _byName = new(StringComparer.Ordinal);

    /// <param name="metrics">The deployment's metric definitions.</param>
    /// <param name="prometheusNames">
    /// Also index each name as Prometheus spells it: characters outside <c>[a-zA-Z0-9_:]</c> become
    /// <c>_</c>, and counters may carry the <c>_total</c> suffix (OpenMetrics counter convention).
    /// </param>
    public MetricRoleIndex(IReadOnlyList<MetricDefinition> metrics, bool prometheusNames)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var metric in metrics)
        {
            var source = metric.Source;
            if (metric.Kind == MetricKind.Continuous)
            {
                Add(source?.ValueMetric ?? metric.Name, new MetricRole(metric, MetricRoleKind.Value), prometheusNames, counter: false);
                continue;
            }

            if (source is null)
            {
                continue;
            }

            if (TryParseThreshold(source.CountMetric, out var histogram, out var threshold))
            {
                if (source.TotalMetric is null || source.TotalMetric == histogram)
                {
                    Add(histogram, new MetricRole(metric, MetricRoleKind.ShareAbove, threshold), prometheusNames, counter: false);
                    continue;
                }

                Add(histogram, new MetricRole(metric, MetricRoleKind.CountAbove, threshold), prometheusNames, counter: false);
            }
            else if (source.CountMetric is not null)
            {
                Add(source.CountMetric, new MetricRole(metric, MetricRoleKind.Count), prometheusNames, counter: true);
            }

            if (source.TotalMetric is not null)
            {
                Add(source.TotalMetric, new MetricRole(metric, MetricRoleKind.Total), prometheusNames, counter: true);
            }
        }
    }

    /// <summary>The roles a telemetry name plays, empty when no metric takes it.</summary>
    public IReadOnlyList<MetricRole> RolesOf(string telemetryName) =>
        _byName.TryGetValue(telemetryName, out var roles) ? roles : [];

    /// <summary>Parses <c>name&gt;threshold</c>; the threshold is a finite invariant-culture number.</summary>
    public static bool TryParseThreshold(string? countMetric, out string histogram, out double threshold)
    {
        histogram = string.Empty;
        threshold = double.NaN;
        var at = countMetric?.LastIndexOf(ThresholdSeparator) ?? -1;
        if (at <= 0 || at == countMetric!.Length - 1)
        {
            return false;
        }

        if (!double.TryParse(countMetric.AsSpan(at + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out threshold)
            || !double.IsFinite(threshold))
        {
            return false;
        }

        histogram = countMetric[..at].Trim();
        return histogram.Length > 0;
    }

    /// <summary>A name as Prometheus would spell it: invalid characters become underscores.</summary>
    public static string PrometheusName(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        return text.ToString();
    }

    private void Add(string name, MetricRole role, bool prometheusNames, bool counter)
    {
        AddOne(name, role);
        if (!prometheusNames)
        {
            return;
        }

        var promName = PrometheusName(name);
        AddOne(promName, role);
        if (counter && !promName.EndsWith("_total", StringComparison.Ordinal))
        {
            AddOne(promName + "_total", role);
        }
    }

    private void AddOne(string name, MetricRole role)
    {
        if (!_byName.TryGetValue(name, out var roles))
        {
            roles = [];
            _byName[name] = roles;
        }

        if (!roles.Contains(role))
        {
            roles.Add(role);
        }
    }
}
