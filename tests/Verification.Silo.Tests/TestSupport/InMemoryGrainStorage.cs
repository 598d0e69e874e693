using System.Runtime.CompilerServices;

using Verification.Silo.Storage;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// A test double of <see cref="IGrainStorage"/> that keeps the contract (versions as ETags, atomic state + journal,
/// unique batch ids) in memory, so runtime and grain tests run without a database. The real providers are
/// checked against the same contract by the storage test suite.
/// </summary>
internal sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<StorageKey, StoredState> _states = [];
    private readonly Dictionary<StorageKey, List<JournalEntry>> _journals = [];

    public int Writes { get; private set; }

    /// <summary>When set, the next write fails with this exception before storing anything.</summary>
    public Exception? FailNextWrite { get; set; }

    public Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_states.GetValueOrDefault(id));
        }
    }

    public Task<long> WriteAsync(StorageKey id, string stateJson, long expectedVersion, IReadOnlyList<JournalEntry> journal,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (FailNextWrite is { } failure)
            {
                FailNextWrite = null;
                throw failure;
            }

            var current = _states.GetValueOrDefault(id)?.Version ?? 0;
            if (current != expectedVersion)
            {
                throw new GrainStateConflictException($"{id}: expected version {expectedVersion}, stored {current}");
            }

            var entries = _journals.GetValueOrDefault(id) ?? [];
            foreach (var entry in journal)
            {
                if (entries.Any(e => e.Sequence == entry.Sequence || (entry.BatchId is not null && e.BatchId == entry.BatchId)))
                {
                    throw new GrainStateConflictException($"{id}: journal entry {entry.Sequence} / {entry.BatchId} exists");
                }
            }

            _journals[id] = [.. entries, .. journal.Select(e => e with { Payload = e.Payload.ToArray() })];
            _states[id] = new StoredState(stateJson, current + 1);
            Writes++;
            return Task.FromResult(current + 1);
        }
    }

    public Task ClearAsync(StorageKey id, long expectedVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var current = _states.GetValueOrDefault(id)?.Version ?? 0;
            if (current != expectedVersion)
            {
                throw new GrainStateConflictException($"{id}: expected version {expectedVersion}, stored {current}");
            }

            _states.Remove(id);
            _journals.Remove(id);
            return Task.CompletedTask;
        }
    }

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<JournalEntry> entries;
        lock (_lock)
        {
            entries = [.. (_journals.GetValueOrDefault(id) ?? []).Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence)];
        }

        foreach (var entry in entries)
        {
            await Task.Yield();
            yield return entry;
        }
    }

    public Task<IReadOnlyList<StoredGrain>> ListAsync(string grainType, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<StoredGrain> list = [.. _states
                .Where(p => p.Key.Type == grainType && (afterKey is null || string.CompareOrdinal(p.Key.Key, afterKey) > 0))
                .OrderBy(p => p.Key.Key, StringComparer.Ordinal)
                .Take(limit)
                .Select(p => new StoredGrain(p.Key.Key, p.Value.Json, p.Value.Version))];
            return Task.FromResult(list);
        }
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Simulates another silo writing the grain: bumps the stored version behind the activation's back.</summary>
    public void WriteBehind(StorageKey id, string stateJson)
    {
        lock (_lock)
        {
            var current = _states.GetValueOrDefault(id)?.Version ?? 0;
            _states[id] = new StoredState(stateJson, current + 1);
        }
    }
}
