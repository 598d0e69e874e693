using Verification.Api.Contracts;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// The samples one decoded request yields, what was rejected and why, and the converter state to
/// commit once the samples are durable.
/// </summary>
internal sealed class TelemetryTranslation(
    IReadOnlyList<SamplesInput> batches, long acceptedDataPoints, RejectionTally rejections, DeltaSession session)
{
    /// <summary>One batch per (deployment, cohort, metric); record each with recordSamples.</summary>
    public IReadOnlyList<SamplesInput> Batches { get; } = batches;

    /// <summary>Data points (OTLP) or samples (remote write) used, including baselines and waiting ratio halves.</summary>
    public long AcceptedDataPoints { get; } = acceptedDataPoints;

    public long RejectedDataPoints => rejections.Total;

    public IReadOnlyDictionary<RejectReason, long> Rejections => rejections.Counts;

    /// <summary>A one-line account of the rejections, or null when none.</summary>
    public string? ErrorMessage => rejections.Message();

    /// <summary>Commits the cumulative-series and pending-ratio state; call after every batch is durable.</summary>
    public void Commit() => session.Commit();

    /// <summary>
    /// The OTLP/HTTP answer: partial_success only when something was rejected (OTLP specification,
    /// "Partial Success": the server leaves it unset when everything was accepted).
    /// </summary>
    public ExportMetricsServiceResponse ToOtlpResponse() =>
        RejectedDataPoints == 0
            ? new ExportMetricsServiceResponse()
            : new ExportMetricsServiceResponse
            {
                PartialSuccess = new ExportMetricsPartialSuccess
                {
                    RejectedDataPoints = RejectedDataPoints,
                    ErrorMessage = ErrorMessage ?? string.Empty,
                },
            };
}
