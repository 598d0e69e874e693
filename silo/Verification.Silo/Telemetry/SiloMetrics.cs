using System.Diagnostics.Metrics;

namespace Verification.Silo.Telemetry;

/// <summary>The silo's own instruments (meter <c>Verification.Silo</c>), exposed at <c>/metrics</c>.</summary>
internal sealed class SiloMetrics : IDisposable
{
    public const string MeterName = "Verification.Silo";

    private readonly Meter _meter;

    public SiloMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        Batches = _meter.CreateCounter<long>("verification.ingest.batches", "{batch}", "Sample batches stored durably.");
        Duplicates = _meter.CreateCounter<long>("verification.ingest.duplicates", "{batch}", "Sample batches skipped because their batchId was known.");
        Values = _meter.CreateCounter<long>("verification.ingest.values", "{value}", "Sample values (or RATIO batches) stored durably.");
    }

    public Counter<long> Batches { get; }

    public Counter<long> Duplicates { get; }

    public Counter<long> Values { get; }

    /// <summary>Registers an observable gauge on the silo meter (e.g. active grains).</summary>
    public void ObserveGauge(string name, string unit, string description, Func<long> observe) =>
        _meter.CreateObservableGauge(name, observe, unit, description);

    public void Dispose() => _meter.Dispose();
}
