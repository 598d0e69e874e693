using System.Globalization;
using Verification.Api.Contracts;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// Routes decoded increases and values to the metrics that take them and assembles one
/// <see cref="SamplesInput"/> per (deployment, cohort, metric) and request. Shared by the OTLP and
/// remote-write translators.
/// </summary>
/// <remarks>
/// <para>Pairing RATIO halves: a request is one export window, so the count and total increases of
/// one request form one batch. We pair by request rather than by identical timestamps because SDKs
/// stamp each instrument separately (microseconds apart), and remote write spreads one scrape over
/// parallel shards. A half that arrives alone waits in the converter's pending state:</para>
/// <list type="bullet">
/// <item>count without total: kept until a total arrives, then emitted together (counts add up);</item>
/// <item>total without count: kept for one more window; if a second window's total also comes
/// without any count, the count is taken as zero, since SDKs export nothing for a counter that was
/// never incremented (e.g. an error counter before the first error).</item>
/// </list>
/// <para>Counter increases may be fractional (double sums); whole events are emitted and the
/// fraction is carried. A count larger than its total is capped at the total and the rest carried,
/// so every emitted batch has count ≤ total. A half still waiting after the series idle timeout is lost.</para>
/// <para>Batch ids are a hash of what went into the batch (series, timestamps, values and the pending
/// state read), so a retried request that was not committed yields the same ids.</para>
/// </remarks>
internal sealed class SampleAssembler(string source, DeltaSession session, TelemetryIngestionOptions options)
{
    private long _observationBudget = options.MaxObservationsPerRequest;

    private readonly Dictionary<(TelemetryLink Link, string Metric), ValueBatch> _values = [];
    private readonly Dictionary<(TelemetryLink Link, string Metric), RatioBatch> _ratios = [];
    private (TelemetryLink Link, string Metric, RatioBatch Batch)? _lastRatio;

    /// <summary>
    /// Reserves room for the values a point adds to CONTINUOUS metrics (<paramref name="observations"/>
    /// per value role, at most the per-point cap); false when the request's budget is spent.
    /// </summary>
    public bool TryReserveObservations(IReadOnlyList<MetricRole> roles, ulong observations)
    {
        var perRole = (long)Math.Min(observations, (ulong)options.MaxObservationsPerDataPoint);
        var needed = roles.Count(r => r.Kind == MetricRoleKind.Value) * perRole;
        if (needed > _observationBudget)
        {
            return false;
        }

        _observationBudget -= needed;
        return true;
    }

    /// <summary>Routes a counter increase (null: a baseline point, seen but nothing to count). False when no role takes counters.</summary>
    public bool RouteCounter(TelemetryLink link, IReadOnlyList<MetricRole> roles, double? increase, ulong timeUnixNano, in PointIdentity identity)
    {
        var routed = false;
        foreach (var role in roles)
        {
            switch (role.Kind)
            {
                case MetricRoleKind.Count:
                    Ratio(link, role.Metric, timeUnixNano, identity).AddCount(increase ?? 0);
                    routed = true;
                    break;
                case MetricRoleKind.Total:
                    Ratio(link, role.Metric, timeUnixNano, identity).AddTotal(increase ?? 0);
                    routed = true;
                    break;
                default:
                    break;
            }
        }

        return routed;
    }

    /// <summary>Routes one gauge value. False when no role takes gauges.</summary>
    public bool RouteGauge(TelemetryLink link, IReadOnlyList<MetricRole> roles, double value, ulong timeUnixNano, in PointIdentity identity)
    {
        var routed = false;
        foreach (var role in roles.Where(r => r.Kind == MetricRoleKind.Value))
        {
            Values(link, role.Metric, timeUnixNano, identity).Values.Add(value);
            routed = true;
        }

        return routed;
    }

    /// <summary>Routes a histogram increase (null: a baseline point). Every role can use a histogram.</summary>
    public bool RouteDistribution(
        TelemetryLink link, IReadOnlyList<MetricRole> roles, Distribution? increase, ulong timeUnixNano, in PointIdentity identity)
    {
        foreach (var role in roles)
        {
            switch (role.Kind)
            {
                case MetricRoleKind.Value:
                    var values = Values(link, role.Metric, timeUnixNano, identity);
                    if (increase is not null)
                    {
                        values.Values.AddRange(increase.Observations(options.MaxObservationsPerDataPoint));
                    }

                    break;
                case MetricRoleKind.Count:
                    Ratio(link, role.Metric, timeUnixNano, identity).AddCount(increase?.Count ?? 0);
                    break;
                case MetricRoleKind.Total:
                    Ratio(link, role.Metric, timeUnixNano, identity).AddTotal(increase?.Count ?? 0);
                    break;
                case MetricRoleKind.CountAbove:
                    Ratio(link, role.Metric, timeUnixNano, identity).AddCount(increase?.CountAbove(role.Threshold) ?? 0);
                    break;
                case MetricRoleKind.ShareAbove:
                    var ratio = Ratio(link, role.Metric, timeUnixNano, identity);
                    ratio.AddCount(increase?.CountAbove(role.Threshold) ?? 0);
                    ratio.AddTotal(increase?.Count ?? 0);
                    break;
                default:
                    break;
            }
        }

        return roles.Count > 0;
    }

    /// <summary>The batches of this request, RATIO halves paired with what was pending. Call once.</summary>
    public IReadOnlyList<SamplesInput> Build()
    {
        try
        {
            return BuildBatches();
        }
        finally
        {
            foreach (var batch in _values.Values.Concat<Batch>(_ratios.Values))
            {
                batch.Dispose();
            }
        }
    }

    private List<SamplesInput> BuildBatches()
    {
        var batches = new List<SamplesInput>();
        foreach (var ((link, metric), batch) in _values.OrderBy(p => p.Key.Link.DeploymentId, StringComparer.Ordinal)
                     .ThenBy(p => p.Key.Link.Cohort).ThenBy(p => p.Key.Metric, StringComparer.Ordinal))
        {
            if (batch.Values.Count == 0)
            {
                continue;
            }

            batches.Add(new SamplesInput(
                link.DeploymentId, link.Cohort, metric, Values: batch.Values,
                At: DeltaSession.FromUnixNano(batch.TimeUnixNano), BatchId: BatchId(batch, null)));
        }

        foreach (var ((link, metric), batch) in _ratios.OrderBy(p => p.Key.Link.DeploymentId, StringComparer.Ordinal)
                     .ThenBy(p => p.Key.Link.Cohort).ThenBy(p => p.Key.Metric, StringComparer.Ordinal))
        {
            var pendingKey = string.Join('\u001f', source, link.DeploymentId, link.Cohort, metric);
            var read = session.ReadPending(pendingKey) ?? PendingRatio.Empty;
            var pending = read with
            {
                Count = read.Count + batch.Count,
                Total = read.Total + batch.Total,
                CountSeen = read.CountSeen || batch.CountSeen,
                TotalWindows = read.TotalWindows + (batch.TotalSeen ? 1 : 0),
                TimeUnixNano = Math.Max(read.TimeUnixNano, batch.TimeUnixNano),
            };

            if (pending.TotalWindows == 0 || (!pending.CountSeen && pending.TotalWindows < 2))
            {
                session.WritePending(pendingKey, pending);
                continue;
            }

            var total = Math.Floor(pending.Total);
            var count = Math.Min(Math.Floor(pending.Count), total);
            session.WritePending(pendingKey, new PendingRatio(
                pending.Count - count, pending.Total - total, false, 0, pending.TimeUnixNano, pending.SeenAt));
            if (total == 0)
            {
                continue;
            }

            batches.Add(new SamplesInput(
                link.DeploymentId, link.Cohort, metric, Count: (long)count, Total: (long)total,
                At: DeltaSession.FromUnixNano(pending.TimeUnixNano), BatchId: BatchId(batch, read)));
        }

        return batches;
    }

    private ValueBatch Values(TelemetryLink link, MetricDefinition metric, ulong timeUnixNano, in PointIdentity identity)
    {
        if (!_values.TryGetValue((link, metric.Name), out var batch))
        {
            batch = new ValueBatch(source, link, metric.Name);
            _values[(link, metric.Name)] = batch;
        }

        batch.Note(timeUnixNano, identity);
        return batch;
    }

    private RatioBatch Ratio(TelemetryLink link, MetricDefinition metric, ulong timeUnixNano, in PointIdentity identity)
    {
        // Consecutive points mostly feed the same batch: the last one found is checked before the dictionary.
        if (_lastRatio is { } last && last.Link == link && ReferenceEquals(last.Metric, metric.Name))
        {
            last.Batch.Note(timeUnixNano, identity);
            return last.Batch;
        }

        if (!_ratios.TryGetValue((link, metric.Name), out var batch))
        {
            batch = new RatioBatch(source, link, metric.Name);
            _ratios[(link, metric.Name)] = batch;
        }

        _lastRatio = (link, metric.Name, batch);

        batch.Note(timeUnixNano, identity);
        return batch;
    }

    /// <summary>The batch's id: SHA-256 of its deployment, cohort and metric, its points, and the pending state read.</summary>
    private string BatchId(Batch batch, PendingRatio? read)
    {
        if (read is not null)
        {
            batch.Identity.Append(string.Create(
                CultureInfo.InvariantCulture, $"pending {read.Count:R} {read.Total:R} {read.CountSeen} {read.TotalWindows}"));
        }

        return batch.Identity.ToId(source);
    }

    /// <summary>One batch being assembled; its points are hashed as they arrive (no text of them is kept).</summary>
    private abstract class Batch : IDisposable
    {
        protected Batch(string source, TelemetryLink link, string metric)
        {
            Identity.Append(source);
            Identity.Append(link.DeploymentId);
            Identity.Append(link.Cohort.ToString());
            Identity.Append(metric);
        }

        public ulong TimeUnixNano { get; private set; }

        public BatchIdentity Identity { get; } = new();

        public void Note(ulong timeUnixNano, in PointIdentity identity)
        {
            TimeUnixNano = Math.Max(TimeUnixNano, timeUnixNano);
            Identity.Append(identity);
        }

        public void Dispose() => Identity.Dispose();
    }

    private sealed class ValueBatch(string source, TelemetryLink link, string metric) : Batch(source, link, metric)
    {
        public List<double> Values { get; } = [];
    }

    private sealed class RatioBatch(string source, TelemetryLink link, string metric) : Batch(source, link, metric)
    {
        public double Count { get; private set; }

        public double Total { get; private set; }

        public bool CountSeen { get; private set; }

        public bool TotalSeen { get; private set; }

        public void AddCount(double increase)
        {
            Count += increase;
            CountSeen = true;
        }

        public void AddTotal(double increase)
        {
            Total += increase;
            TotalSeen = true;
        }
    }
}
