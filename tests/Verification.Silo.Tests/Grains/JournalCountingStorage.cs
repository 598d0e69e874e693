using System.Runtime.CompilerServices;

using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Grains;

/// <summary>Passes everything to the inner storage and counts the journal entries read (what an activation replays).</summary>
internal sealed class JournalCountingStorage(IGrainStorage inner) : IGrainStorage
{
    private int _read;

    public int JournalEntriesRead => Volatile.Read(ref _read);

    public Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken) => inner.ReadAsync(id, cancellationToken);

    public Task<long> WriteAsync(StorageKey id, string stateJson, long expectedVersion, IReadOnlyList<JournalEntry> journal,
        CancellationToken cancellationToken) => inner.WriteAsync(id, stateJson, expectedVersion, journal, cancellationToken);

    public Task ClearAsync(StorageKey id, long expectedVersion, CancellationToken cancellationToken) => inner.ClearAsync(id, expectedVersion, cancellationToken);

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in inner.ReadJournalAsync(id, afterSequence, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _read);
            yield return entry;
        }
    }

    public Task<IReadOnlyList<StoredGrain>> ListAsync(string grainType, string? afterKey, int limit, CancellationToken cancellationToken) =>
        inner.ListAsync(grainType, afterKey, limit, cancellationToken);

    public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
}
