using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Ingestion.Telemetry;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>
/// The PromQL pull of one deployment, owned by its grain activation (which calls <see cref="EvaluateAsync"/> on its own
/// timer, so each deployment is pulled by exactly one silo of the cluster): each interval, evaluates every <c>source.promql</c>
/// metric per cohort at the interval-aligned time t and records what it yields through the deployment grain, with a batchId
/// derived from (deployment, metric, cohort, t), so a repeated evaluation is not counted twice.
/// </summary>
internal sealed partial class PrometheusPull(
    PrometheusQueryClient client, PrometheusPullOptions options, TelemetryMetrics metrics, TimeProvider time, ILogger<PrometheusPull> logger)
{
    /// <summary>Last cumulative RATIO reading per (metric, cohort); the first reading is the baseline.</summary>
    private readonly Dictionary<(string Metric, Cohort Cohort), CounterReading> _readings = [];

    private DateTimeOffset _lastEvaluation = DateTimeOffset.MinValue;

    /// <summary>What the last evaluations of this deployment gave (<c>GET /prometheus/pull/{deploymentId}</c>).</summary>
    public PullStatusBoard Board { get; } = new();

    /// <summary>Whether pulling is configured (<c>Prometheus:Url</c>).</summary>
    public bool Enabled => options.Url is not null;

    public TimeSpan Interval => options.Interval;

    /// <summary>Whether any of <paramref name="metrics"/> is pulled (has a <c>source.promql</c>).</summary>
    public static bool Pulls(IEnumerable<MetricDefinition>? metrics) =>
        metrics?.Any(m => !string.IsNullOrWhiteSpace(m.Source?.Promql)) == true;

    /// <summary>
    /// The wait until the middle of the next interval: evaluations happen half an interval after the aligned time they are
    /// for, so a timer that fires a little early or late still lands in the interval it is meant for.
    /// </summary>
    public TimeSpan UntilNext()
    {
        var now = time.GetUtcNow();
        return Aligned(now) + options.Interval + (options.Interval / 2) - now;
    }

    private DateTimeOffset Aligned(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % options.Interval.Ticks), TimeSpan.Zero);

    /// <summary>
    /// Evaluates <paramref name="definitions"/> of <paramref name="deploymentId"/> at the interval-aligned time not yet evaluated
    /// and records through <paramref name="grain"/>. A failed write is logged, not thrown: the readings were not advanced,
    /// so the next increase includes this one.
    /// </summary>
    public async Task EvaluateAsync(string deploymentId, IReadOnlyList<MetricDefinition> definitions, IDeploymentGrain grain,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(grain);
        var at = Aligned(time.GetUtcNow());
        if (at <= _lastEvaluation)
        {
            return;
        }

        _lastEvaluation = at;
        metrics.PullEvaluations.Add(1);
        try
        {
            await EvaluateAsync(deploymentId, definitions, grain, at, cancellationToken).ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RecordFailed(logger, e, deploymentId);
        }
    }

    private async Task EvaluateAsync(string deploymentId, IReadOnlyList<MetricDefinition> definitions, IDeploymentGrain grain,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var batches = new List<SamplesInput>();
        var readings = new List<((string, Cohort) Key, CounterReading Reading)>();
        var sourceErrors = new List<(string Metric, string? Error)>();
        foreach (var metric in definitions.Where(m => !string.IsNullOrWhiteSpace(m.Source?.Promql)))
        {
            string? sourceError = null;
            foreach (var cohort in new[] { Cohort.Baseline, Cohort.Canary })
            {
                var query = PromqlConvention.Substitute(metric.Source!.Promql!, deploymentId, cohort, options.Interval);
                var batchId = BatchId(deploymentId, metric.Name, cohort, at);
                try
                {
                    var samples = await client.QueryAsync(query, at, cancellationToken).ConfigureAwait(true);
                    SamplesInput? batch;
                    if (metric.Kind == MetricKind.Ratio)
                    {
                        var key = (metric.Name, cohort);
                        // A query that returns nothing before any reading: the counters do not exist yet, so what
                        // appears later counts from zero. After a reading, nothing means no change.
                        var reading = PromqlConvention.ReadRatio(samples) ?? _readings.GetValueOrDefault(key) ?? CounterReading.Zero;
                        batch = null;
                        if (_readings.TryGetValue(key, out var previous))
                        {
                            var (count, total) = PromqlConvention.Increase(previous, reading);
                            batch = total > 0 ? new SamplesInput(deploymentId, cohort, metric.Name, Count: count, Total: total, At: at, BatchId: batchId) : null;
                        }

                        readings.Add((key, reading));
                    }
                    else
                    {
                        var values = PromqlConvention.ReadValues(samples);
                        batch = values.Length == 0
                            ? null
                            : new SamplesInput(deploymentId, cohort, metric.Name, Values: values.Take(InputLimits.MaxValuesPerBatch).ToArray(),
                                At: at, BatchId: batchId);
                    }

                    if (batch is not null)
                    {
                        batches.Add(batch);
                    }

                    Board.Report(metric.Name, cohort, query, at, batch is null ? PullOutcome.Nodata : PullOutcome.Ok, null);
                }
                catch (PrometheusQueryException e)
                {
                    QueryFailed(logger, deploymentId, metric.Name, PromqlConvention.CohortText(cohort), e.Message);
                    metrics.PullFailures.Add(1);
                    Board.Report(metric.Name, cohort, query, at, PullOutcome.Error, e.Message);
                    sourceError ??= $"{PromqlConvention.CohortText(cohort)} query: {e.Message}";
                }
            }

            sourceErrors.Add((metric.Name, sourceError));
        }

        if (batches.Count > 0)
        {
            await grain.RecordAsync(batches, cancellationToken).ConfigureAwait(true);
        }

        // A failing query is a failing source: the grain holds back any new promotion until it works again (fail safe).
        // An empty result is not a failure (no traffic in the window); the grain writes only when the state changes.
        foreach (var (metric, error) in sourceErrors)
        {
            await grain.ReportSourceAsync(metric, error, cancellationToken).ConfigureAwait(true);
        }

        // Only after the batches are durable: a failed write leaves the old readings, so the next increase includes this one.
        foreach (var (key, reading) in readings)
        {
            _readings[key] = reading;
        }
    }

    /// <summary>Deterministic: the same deployment, metric, cohort and evaluation time always give the same id.</summary>
    internal static string BatchId(string deploymentId, string metric, Cohort cohort, DateTimeOffset at)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{deploymentId}\u001f{metric}\u001f{cohort}\u001f{at.ToUnixTimeMilliseconds()}");
        return "promql-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning,
        Message = "Prometheus pull: query for deployment {DeploymentId} metric {Metric} cohort {Cohort} failed: {Reason}")]
    private static partial void QueryFailed(ILogger logger, string deploymentId, string metric, string cohort, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Prometheus pull: recording the samples of deployment {DeploymentId} failed; retrying next interval")]
    private static partial void RecordFailed(ILogger logger, Exception exception, string deploymentId);
}
