namespace Verification.Api.Contracts;

/// <summary>
/// One stored sample batch of a deployment, as read back from its journal (for the <c>samples</c> export). A RATIO batch
/// has <see cref="Count"/>/<see cref="Total"/> and one observation; a CONTINUOUS batch has its values summarised
/// (<see cref="Observations"/> values, their <see cref="Sum"/>, <see cref="Min"/> and <see cref="Max"/>).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.StoredSampleBatch")]
public sealed record StoredSampleBatch(
    long Sequence,
    string? BatchId,
    string Metric,
    Cohort Cohort,
    DateTimeOffset At,
    long? Count,
    long? Total,
    long Observations,
    double? Sum,
    double? Min,
    double? Max);

/// <summary>A page of a deployment's stored batches in journal order; <see cref="Next"/> is the sequence to read after, null at the end.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.StoredSamplePage")]
public sealed record StoredSamplePage(IReadOnlyList<StoredSampleBatch> Batches, long? Next);
