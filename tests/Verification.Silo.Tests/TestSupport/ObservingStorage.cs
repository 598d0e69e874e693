using System.Runtime.CompilerServices;
using Verification.Silo.Storage;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// Passes everything to the real journal store, counting the journal entries read (what an activation replays) and able
/// to fail the next append (a disk or connection failure).
/// </summary>
internal sealed class ObservingStorage(IGrainStorage inner) : IGrainStorage
{
    private int _read;
    private Exception? _failNextAppend;

    public int JournalEntriesRead => Volatile.Read(ref _read);

    /// <summary>When set, the next append fails with this exception before storing anything.</summary>
    public Exception? FailNextAppend
    {
        get => Volatile.Read(ref _failNextAppend);
        set => Volatile.Write(ref _failNextAppend, value);
    }

    public Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken) => inner.ReadAsync(id, cancellationToken);

    public Task AppendAsync(StorageKey id, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _failNextAppend, null) is { } failure
            ? Task.FromException(failure)
            : inner.AppendAsync(id, journal, cancellationToken);

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
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
