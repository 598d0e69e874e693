namespace Verification.Silo.Storage;

/// <summary>
/// Durable grain state with optimistic concurrency, plus an append-only journal per grain.
/// Orleans-shaped (IGrainStorage with an ETag): the version column is the ETag. A write whose
/// expected version does not match the stored one fails with <see cref="GrainStateConflictException"/>.
/// State and journal entries written by one <see cref="WriteAsync"/> commit in one transaction:
/// either all of them are durable when it returns, or none is.
/// </summary>
internal interface IGrainStorage
{
    /// <summary>Reads the state; null when the grain has never been written (or was cleared).</summary>
    Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the state if the stored version equals <paramref name="expectedVersion"/> (0 = must not exist yet),
    /// and appends <paramref name="journal"/> in the same transaction. Returns the new version.
    /// Throws <see cref="GrainStateConflictException"/> on a version mismatch or on a journal entry whose
    /// sequence number or batch id is already stored for this grain; nothing is written then.
    /// </summary>
    Task<long> WriteAsync(StorageKey id, string stateJson, long expectedVersion, IReadOnlyList<JournalEntry> journal,
        CancellationToken cancellationToken);

    /// <summary>Deletes the state and the journal if the stored version matches; conflict otherwise.</summary>
    Task ClearAsync(StorageKey id, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>The journal entries of a grain with a sequence number greater than <paramref name="afterSequence"/>, in order.</summary>
    IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence, CancellationToken cancellationToken);

    /// <summary>All stored states of one grain type, ordered by key, at most <paramref name="limit"/> after <paramref name="afterKey"/>.</summary>
    Task<IReadOnlyList<StoredGrain>> ListAsync(string grainType, string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>True when the database answers a trivial query (for /readyz).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}

/// <summary>A stored state and its version (the ETag).</summary>
internal sealed record StoredState(string Json, long Version);

/// <summary>A stored state with its key, for listings.</summary>
internal sealed record StoredGrain(string Key, string Json, long Version);

/// <summary>
/// One journal entry: a sequence number chosen by the grain (dense, increasing), an optional
/// idempotency key unique per grain, and an opaque payload.
/// </summary>
internal sealed record JournalEntry(long Sequence, string? BatchId, ReadOnlyMemory<byte> Payload);

/// <summary>The stored version did not match the expected one, or a journal key is already taken.</summary>
internal sealed class GrainStateConflictException : Exception
{
    public GrainStateConflictException()
    {
    }

    public GrainStateConflictException(string message)
        : base(message)
    {
    }

    public GrainStateConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
