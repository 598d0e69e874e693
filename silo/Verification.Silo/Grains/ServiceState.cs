using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The durable state of one service grain, kept small because every write stores all of it. SLO definitions are kept
/// as the OpenSLO inputs they came from (<see cref="Sources"/>, re-parsed on activation, so the stored form is exactly
/// what the user applied). Events and bucket snapshots live in the grain's journal (append-only, never rewritten):
/// <see cref="SnapshotSequence"/> points at the latest snapshot entry, which holds the 1-minute buckets of every
/// objective for all entries before it, so that activation restores it and replays only the entries after it.
/// </summary>
/// <param name="Sources">OpenSLO inputs that define the current SLOs; unreferenced ones are dropped.</param>
/// <param name="NextSequence">The sequence number the next journal entry gets (dense, from 1).</param>
/// <param name="SnapshotSequence">The journal sequence of the latest bucket snapshot; 0 when none was taken.</param>
/// <param name="Checkpoints">Journal sequences with the time they were reached, oldest first: where replay must start
/// to remember every batch id of the idempotency horizon.</param>
/// <param name="Alerts">The burn-rate alert level last reported per SLO (an <c>slo.alert</c> webhook event per change); SLOs
/// at NONE are left out; null when none alerts.</param>
/// <param name="Outbox">Webhook events written with this state and not yet known to be handed to the webhook outbox
/// (Webhooks/WebhookOutbox), as in <see cref="DeploymentState"/>; null when there are none.</param>
internal sealed record ServiceState(
    IReadOnlyList<string> Sources,
    IReadOnlyList<SloEntryState> Slos,
    ReleasePolicy Policy,
    IReadOnlyList<Incident> Incidents,
    long NextIncident,
    IReadOnlyList<PromotionState> Promotions,
    long NextSequence,
    long SnapshotSequence,
    IReadOnlyList<CheckpointState> Checkpoints,
    IReadOnlyList<SloAlertState>? Alerts = null,
    IReadOnlyList<Webhooks.OutboundEvent>? Outbox = null)
{
    public static ServiceState Empty { get; } = new([], [], new ReleasePolicy(), [], 1, [], 1, 0, []);
}

/// <summary>One SLO: its name, the index of the source defining it, and the first journal sequence that counts for it.</summary>
/// <param name="FromSequence">Events journaled before this belong to an earlier definition and are not replayed.</param>
internal sealed record SloEntryState(string Name, int Source, DateTimeOffset DefinedAt, long FromSequence);

/// <summary>A promotion of the service, watched for an SLO page within the policy's incident window.</summary>
/// <param name="Handled">An SLO page after it has opened an incident already (one per promotion).</param>
internal sealed record PromotionState(string DeploymentId, DateTimeOffset At, bool Handled);

/// <summary>One journal entry of a service grain: a batch of SLO events, or a snapshot of every objective's buckets.</summary>
internal sealed record ServiceJournalEntry(SloEventEntry? Event, IReadOnlyList<ObjectiveBucketsState>? Snapshot);

/// <summary>One objective's buckets, <see cref="Verification.Analysis.Slo.SloBucketCodec"/>-encoded.</summary>
internal sealed record ObjectiveBucketsState(string Slo, int Objective, byte[] Buckets);

/// <summary>The journal had reached <see cref="Sequence"/> (next entry) at <see cref="At"/>.</summary>
internal sealed record CheckpointState(long Sequence, DateTimeOffset At);

/// <summary>One journaled batch of SLO events; <see cref="At"/> is the time it was counted at (future stamps clamped to arrival).</summary>
internal sealed record SloEventEntry(string Slo, DateTimeOffset At, long Good, long Total);

/// <summary>The alert level of one SLO as last reported, and since when.</summary>
internal sealed record SloAlertState(string Slo, AlertLevel Level, DateTimeOffset Since);
