using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Ingestion.Telemetry;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>
/// Pulls PromQL metrics: every interval, for each VERIFYING deployment with <c>source.promql</c> metrics, evaluates the
/// query per cohort at the interval-aligned time t and records what it yields through the deployment grain, with a
/// batchId derived from (deployment, metric, cohort, t), so a repeated evaluation is not counted twice.
/// </summary>
internal sealed partial class PrometheusPullService(
    PrometheusQueryClient client, IDeploymentDirectory directory, IGrainFactory grains, PullStatusBoard board,
    PrometheusPullOptions options, TelemetryMetrics metrics, TimeProvider time, ILogger<PrometheusPullService> logger) : BackgroundService
{
    /// <summary>Last cumulative RATIO reading per (deployment, metric, cohort); the first reading is the baseline.</summary>
    private readonly Dictionary<(string Deployment, string Metric, Cohort Cohort), CounterReading> _readings = [];

    private DateTimeOffset _lastEvaluation = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            try
            {
                await EvaluateAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Storage down or similar: the next tick tries again; readings were not advanced.
                EvaluationFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One round over every VERIFYING deployment, at the interval-aligned time not yet evaluated.</summary>
    internal async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var interval = options.Interval.Ticks;
        var now = time.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % interval), TimeSpan.Zero);
        if (at <= _lastEvaluation)
        {
            return;
        }

        var active = new HashSet<string>(StringComparer.Ordinal);
        var verifying = directory.ListAllAsync(new DeploymentFilter(Status: DeploymentStatus.Verifying), cancellationToken);
        await foreach (var deployment in verifying.ConfigureAwait(false))
        {
            if (!deployment.Metrics.Any(m => !string.IsNullOrWhiteSpace(m.Source?.Promql)))
            {
                continue;
            }

            active.Add(deployment.Id);
            try
            {
                await EvaluateAsync(deployment, at, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One deployment's failed write must not starve the others; its readings were not advanced,
                // so its next increase includes this one.
                RecordFailed(logger, e, deployment.Id);
            }
        }

        foreach (var key in _readings.Keys.Where(k => !active.Contains(k.Deployment)).ToList())
        {
            _readings.Remove(key);
        }

        board.Retain(active);
        _lastEvaluation = at;
    }

    private async Task EvaluateAsync(Deployment deployment, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var batches = new List<SamplesInput>();
        var readings = new List<((string, string, Cohort) Key, CounterReading Reading)>();
        var sourceErrors = new List<(string Metric, string? Error)>();
        foreach (var metric in deployment.Metrics.Where(m => !string.IsNullOrWhiteSpace(m.Source?.Promql)))
        {
            string? sourceError = null;
            foreach (var cohort in new[] { Cohort.Baseline, Cohort.Canary })
            {
                var query = PromqlConvention.Substitute(metric.Source!.Promql!, deployment.Id, cohort, options.Interval);
                var batchId = BatchId(deployment.Id, metric.Name, cohort, at);
                try
                {
                    var samples = await client.QueryAsync(query, at, cancellationToken).ConfigureAwait(false);
                    SamplesInput? batch;
                    if (metric.Kind == MetricKind.Ratio)
                    {
                        var key = (deployment.Id, metric.Name, cohort);
                        // A query that returns nothing before any reading: the counters do not exist yet, so what
                        // appears later counts from zero. After a reading, nothing means no change.
                        var reading = PromqlConvention.ReadRatio(samples) ?? _readings.GetValueOrDefault(key) ?? CounterReading.Zero;
                        batch = null;
                        if (_readings.TryGetValue(key, out var previous))
                        {
                            var (count, total) = PromqlConvention.Increase(previous, reading);
                            batch = total > 0 ? new SamplesInput(deployment.Id, cohort, metric.Name, Count: count, Total: total, At: at, BatchId: batchId) : null;
                        }

                        readings.Add((key, reading));
                    }
                    else
                    {
                        var values = PromqlConvention.ReadValues(samples);
                        batch = values.Length == 0
                            ? null
                            : new SamplesInput(deployment.Id, cohort, metric.Name, Values: values.Take(InputLimits.MaxValuesPerBatch).ToArray(),
                                At: at, BatchId: batchId);
                    }

                    if (batch is not null)
                    {
                        batches.Add(batch);
                    }

                    board.Report(deployment.Id, metric.Name, cohort, query, at, batch is null ? PullOutcome.Nodata : PullOutcome.Ok, null);
                }
                catch (PrometheusQueryException e)
                {
                    QueryFailed(logger, deployment.Id, metric.Name, CohortText(cohort), e.Message);
                    metrics.PullFailures.Add(1);
                    board.Report(deployment.Id, metric.Name, cohort, query, at, PullOutcome.Error, e.Message);
                    sourceError ??= $"{CohortText(cohort)} query: {e.Message}";
                }
            }

            sourceErrors.Add((metric.Name, sourceError));
        }

        if (batches.Count > 0)
        {
            await grains.GetGrain<IDeploymentGrain>(deployment.Id).RecordAsync(batches, cancellationToken).ConfigureAwait(false);
        }

        // A failing query is a failing source: the grain holds back any new promotion until it works again (fail safe).
        // An empty result is not a failure (no traffic in the window); the grain writes only when the state changes.
        foreach (var (metric, error) in sourceErrors)
        {
            await grains.GetGrain<IDeploymentGrain>(deployment.Id).ReportSourceAsync(metric, error, cancellationToken).ConfigureAwait(false);
        }

        // Only after the batches are durable: a failed write leaves the old readings, so the next increase includes this one.
        foreach (var (key, reading) in readings)
        {
            _readings[key] = reading;
        }
    }

    private static string CohortText(Cohort cohort) => PromqlConvention.CohortText(cohort);

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

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Prometheus pull: an evaluation round failed; retrying next interval")]
    private static partial void EvaluationFailed(ILogger logger, Exception exception);
}
