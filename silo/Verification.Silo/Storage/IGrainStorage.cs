namespace Verification.Silo.Storage;

/// <summary>
/// The journal store injected into our grains, and the read side of their state. Grain state is read and written by
/// Orleans' ADO.NET grain storage (our SQL in OrleansQuery, same grain_state table); this interface appends journal
/// entries, which are durable when <see cref="AppendAsync"/> returns, and reads states without activating grains
/// (listings). A grain appends its entries first and writes the state that counts them second: after a crash between
/// the two the journal is ahead of the state, never behind, and activation folds the missing entries in.
/// </summary>
internal interface IGrainStorage
{
    /// <summary>Reads the state; null when the grain has never been written (or was cleared).</summary>
    Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="journal"/> in one transaction. Throws <see cref="GrainStateConflictException"/> when a
    /// sequence number or batch id of it is already stored for this grain; nothing is appended then.
    /// </summary>
    Task AppendAsync(StorageKey id, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken);

    /// <summary>The journal entries of a grain with a sequence number greater than <paramref name="afterSequence"/>, in order.</summary>
    IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence, CancellationToken cancellationToken);

    /// <summary>
    /// All stored states of one grain type, ordered by key, at most <paramref name="limit"/> after <paramref name="afterKey"/>,
    /// each with the last sequence number of its journal.
    /// </summary>
    Task<IReadOnlyList<StoredGrain>> ListAsync(string grainType, string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>True when the database answers a trivial query (for /readyz).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}

/// <summary>A stored state and its version (the ETag).</summary>
internal sealed record StoredState(string Json, long Version);

/// <summary>A stored state with its key, for listings.</summary>
/// <param name="LastSequence">The greatest sequence number in the grain's journal; 0 when it has none. A state that counts
/// fewer entries (a deployment's <c>nextSequence</c> not above it) lags its journal: the grain answers for it.</param>
internal sealed record StoredGrain(string Key, string Json, long Version, long LastSequence = 0);

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
