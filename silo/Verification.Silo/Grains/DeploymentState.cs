using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The durable state of one deployment grain: its normalized registration, lifecycle, the summaries of what
/// was ingested, the next journal sequence number, and the last verdict. Raw samples live in the grain's journal.
/// </summary>
/// <param name="HeldPromotion">The judge's PROMOTE while the service's budget gate holds it back (the verdict shown is then
/// PENDING with the gate); null otherwise.</param>
/// <param name="SourceErrors">Metrics whose pulled source currently fails, with the failure; null or empty when all work.</param>
/// <param name="ClockAt">When the grain's verdict-clock reminder was last scheduled to be due (<see cref="VerdictClock"/>);
/// null while it has none.</param>
/// <param name="Outbox">Webhook events written with this state and not yet known to be handed to the webhook outbox
/// (Webhooks/WebhookOutbox); null or empty when there are none.</param>
internal sealed record DeploymentState(
    RegisterDeploymentInput Registration,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DeploymentStatus Status,
    long NextSequence,
    IReadOnlyList<SummaryState> Summaries,
    Verdict Verdict,
    Verdict? HeldPromotion = null,
    IReadOnlyDictionary<string, string>? SourceErrors = null,
    DateTimeOffset? ClockAt = null,
    IReadOnlyList<Webhooks.OutboundEvent>? Outbox = null);

/// <summary>Running sums for one metric and cohort.</summary>
internal sealed record SummaryState(string Metric, Cohort Cohort, long Observations, long Count, long Total, double Sum);
