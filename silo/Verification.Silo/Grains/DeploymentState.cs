using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The durable state of one deployment grain: its normalized registration, lifecycle, the summaries of what
/// was ingested, the next journal sequence number, and the last verdict. Raw samples live in the grain's journal.
/// </summary>
internal sealed record DeploymentState(
    RegisterDeploymentInput Registration,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DeploymentStatus Status,
    long NextSequence,
    IReadOnlyList<SummaryState> Summaries,
    Verdict Verdict);

/// <summary>Running sums for one metric and cohort.</summary>
internal sealed record SummaryState(string Metric, Cohort Cohort, long Observations, long Count, long Total, double Sum);
