using System.Diagnostics.Metrics;
using Verification.Api.Contracts;

namespace Verification.Silo.Telemetry;

/// <summary>The silo's own instruments (meter <c>Verification.Silo</c>), exposed at <c>/metrics</c>.</summary>
internal sealed class SiloMetrics : IDisposable
{
    public const string MeterName = "Verification.Silo";

    private readonly Meter _meter;
    private long _activeGrains;

    public SiloMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        Batches = _meter.CreateCounter<long>("verification.ingest.batches", "{batch}", "Sample batches stored durably.");
        Duplicates = _meter.CreateCounter<long>("verification.ingest.duplicates", "{batch}", "Sample batches skipped because their batchId was known.");
        Values = _meter.CreateCounter<long>("verification.ingest.values", "{value}", "Sample values (or RATIO batches) stored durably.");
        ClockEvaluations = _meter.CreateCounter<long>("verification.verdict_clock.evaluations", "{evaluation}",
            "Deployments judged by the verdict clock (a reminder or timer tick) on this silo.");
        Verdicts = _meter.CreateCounter<long>("verification.verdicts", "{verdict}",
            "Verdicts that changed a deployment's decision (the first one, PENDING, included), by service and decision.");
        JudgeDuration = _meter.CreateHistogram<double>("verification.judge.duration", "s", "Time the judge took to evaluate a deployment's samples.");
        _meter.CreateObservableGauge("verification.grains.active", () => ActiveGrains, "{grain}",
            "Grain activations of this silo in memory.");
    }

    public Counter<long> Batches { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Values { get; }

    public Counter<long> ClockEvaluations { get; }

    /// <summary>Tags <c>service</c>, <c>decision</c> (as the API spells it).</summary>
    public Counter<long> Verdicts { get; }

    public Histogram<double> JudgeDuration { get; }

    /// <summary>Counts a verdict that turned a deployment of <paramref name="service"/> to <paramref name="decision"/>.</summary>
    public void VerdictChanged(string service, Decision decision) =>
        Verdicts.Add(1, new KeyValuePair<string, object?>(MetricLabels.Service, service),
            new KeyValuePair<string, object?>(MetricLabels.Decision, DomainMetrics.Upper(decision)));

    /// <summary>A grain of this silo was activated (<paramref name="delta"/> 1) or deactivated (-1).</summary>
    /// <summary>Grain activations of this silo in memory now.</summary>
    public long ActiveGrains => Volatile.Read(ref _activeGrains);

    public void GrainActivations(int delta) => Interlocked.Add(ref _activeGrains, delta);

    /// <summary>Registers an observable gauge on the silo meter (e.g. active grains).</summary>
    public void ObserveGauge(string name, string unit, string description, Func<long> observe) =>
        _meter.CreateObservableGauge(name, observe, unit, description);

    public void Dispose() => _meter.Dispose();
}
