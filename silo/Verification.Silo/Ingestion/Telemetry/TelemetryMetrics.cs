using System.Diagnostics.Metrics;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Ingestion.Telemetry;

/// <summary>
/// Instruments of the telemetry inputs, on the silo meter (so <c>/metrics</c> shows them): what the receivers refused
/// or rejected and how often a PromQL pull failed — the things an operator alerts on when verdicts stay NODATA.
/// </summary>
internal sealed class TelemetryMetrics
{
    public TelemetryMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        // The factory hands out the one Meter of this name (and owns its disposal).
        var meter = meters.Create(SiloMetrics.MeterName);
        RefusedRequests = meter.CreateCounter<long>(
            "verification.telemetry.refused_requests", "{request}", "Pushed telemetry requests answered 4xx or 5xx (receiver, status).");
        RejectedPoints = meter.CreateCounter<long>(
            "verification.telemetry.rejected_points", "{point}", "Data points or samples not turned into samples (receiver).");
        PullFailures = meter.CreateCounter<long>(
            "verification.prometheus.pull_failures", "{query}", "PromQL queries that failed.");
        PullEvaluations = meter.CreateCounter<long>(
            "verification.prometheus.pull_evaluations", "{evaluation}",
            "PromQL evaluations of a deployment (all its metrics and cohorts), counted by the silo whose grain pulled.");
    }

    public Counter<long> RefusedRequests { get; }

    public Counter<long> RejectedPoints { get; }

    public Counter<long> PullFailures { get; }

    public Counter<long> PullEvaluations { get; }
}
