using System.Data.Common;

using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IGrainStorage"/> provider promises, run against each real database by a
/// subclass. Tests of one class share a database; each test uses its own grain type so they cannot see each other.
/// </summary>
public abstract class GrainStorageContractTests : IAsyncLifetime
{
    private const int KnownMigrations = 1;

    private readonly List<IAsyncDisposable> _storages = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly string _grainType = $"test-{Guid.NewGuid():N}";

    private protected CancellationToken Ct => _timeout.Token;

    private protected abstract string ConnectionString { get; }

    private protected abstract Task<string> CreateEmptyDatabaseAsync();

    /// <summary>A new, not yet migrated provider instance (it also implements the migrator and IAsyncDisposable).</summary>
    private protected abstract IGrainStorage CreateStorage(string connectionString);

    private protected abstract Task ExecuteSqlAsync(string connectionString, string sql);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var storage in _storages)
        {
            await storage.DisposeAsync();
        }

        _timeout.Dispose();
    }

    [StorageFact]
    public async Task ReadAsync_UnknownGrain_ReturnsNull()
    {
        var sut = await StartAsync();

        Assert.Null(await sut.ReadAsync(Id("missing"), Ct));
    }

    [StorageFact]
    public async Task WriteAsync_NewGrainExpectingZero_ReturnsVersionOneAndReadsBack()
    {
        var sut = await StartAsync();

        var version = await sut.WriteAsync(Id("a"), """{"n":1}""", 0, [], Ct);

        Assert.Equal(1, version);
        Assert.Equal(new StoredState("""{"n":1}""", 1), await sut.ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task WriteAsync_MatchingVersion_ReturnsNextVersionAndReplacesState()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [], Ct);

        var version = await sut.WriteAsync(Id("a"), "2", 1, [], Ct);

        Assert.Equal(2, version);
        Assert.Equal(new StoredState("2", 2), await sut.ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task WriteAsync_StaleVersion_ThrowsConflictAndWritesNothing()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], Ct);
        await sut.WriteAsync(Id("a"), "2", 1, [Entry(2)], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.WriteAsync(Id("a"), "stale", 1, [Entry(3)], Ct));

        Assert.Equal(new StoredState("2", 2), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1), Row(2)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_ExpectingZeroForExistingGrain_ThrowsConflictAndWritesNothing()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.WriteAsync(Id("a"), "again", 0, [Entry(2)], Ct));

        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_ExpectingVersionOfUnknownGrain_ThrowsConflictAndWritesNothing()
    {
        var sut = await StartAsync();

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.WriteAsync(Id("a"), "3", 3, [Entry(1)], Ct));

        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
        Assert.Empty(await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_DuplicateBatchId_ThrowsConflictAndWritesNothing()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1, "b1")], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(
            () => sut.WriteAsync(Id("a"), "2", 1, [Entry(2, "b2"), Entry(3, "b1")], Ct));

        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1, "b1")], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_DuplicateSequence_ThrowsConflictAndWritesNothing()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.WriteAsync(Id("a"), "2", 1, [Entry(2), Entry(1, "x")], Ct));

        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_ConflictOnLastOfManyEntriesOfNewGrain_LeavesNoStateAndNoEntry()
    {
        var sut = await StartAsync();
        var entries = Enumerable.Range(1, 99).Select(i => Entry(i, $"b{i}")).Append(Entry(100, "b1")).ToList();

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.WriteAsync(Id("a"), "1", 0, entries, Ct));

        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
        Assert.Empty(await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_SameBatchIdOnOtherGrainAndManyNullBatchIds_Succeeds()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1, "shared"), Entry(2), Entry(3)], Ct);

        var version = await sut.WriteAsync(Id("b"), "1", 0, [Entry(1, "shared"), Entry(2), Entry(3)], Ct);

        Assert.Equal(1, version);
        Assert.Equal([Row(1, "shared"), Row(2), Row(3)], await JournalAsync(sut, Id("b")));
    }

    [StorageFact]
    public async Task ReadJournalAsync_AfterSequence_ReturnsLaterEntriesOfThatGrainInOrder()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1, "b1"), Entry(2), Entry(3, "b3")], Ct);
        await sut.WriteAsync(Id("a"), "2", 1, [Entry(5), Entry(4, "b4")], Ct);
        await sut.WriteAsync(Id("other"), "1", 0, [Entry(3), Entry(4), Entry(6)], Ct);

        var journal = await JournalAsync(sut, Id("a"), afterSequence: 2);

        Assert.Equal([Row(3, "b3"), Row(4, "b4"), Row(5)], journal);
    }

    [StorageFact]
    public async Task ListAsync_Paging_ReturnsOnlyThatTypeInOrdinalKeyOrderPageByPage()
    {
        var sut = await StartAsync();
        foreach (var key in new[] { "b", "a", "c", "B", "a1" })
        {
            await sut.WriteAsync(Id(key), $"\"{key}\"", 0, [], Ct);
        }

        await sut.WriteAsync(new StorageKey(_grainType + "-other", "a0"), "{}", 0, [], Ct);
        await sut.WriteAsync(Id("a1"), "\"a1v2\"", 1, [], Ct);

        var first = await sut.ListAsync(_grainType, null, 2, Ct);
        var second = await sut.ListAsync(_grainType, first[^1].Key, 2, Ct);
        var third = await sut.ListAsync(_grainType, second[^1].Key, 2, Ct);
        var past = await sut.ListAsync(_grainType, third[^1].Key, 2, Ct);

        Assert.Equal([new StoredGrain("B", "\"B\"", 1), new StoredGrain("a", "\"a\"", 1)], first);
        Assert.Equal([new StoredGrain("a1", "\"a1v2\"", 2), new StoredGrain("b", "\"b\"", 1)], second);
        Assert.Equal([new StoredGrain("c", "\"c\"", 1)], third);
        Assert.Empty(past);
    }

    [StorageFact]
    public async Task ClearAsync_MatchingVersion_DeletesStateAndJournalAndAllowsANewStart()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1, "b1")], Ct);
        await sut.WriteAsync(Id("a"), "2", 1, [Entry(2, "b2")], Ct);

        await sut.ClearAsync(Id("a"), 2, Ct);

        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
        Assert.Empty(await JournalAsync(sut, Id("a")));
        Assert.Equal(1, await sut.WriteAsync(Id("a"), "new", 0, [Entry(1, "b1")], Ct));
        Assert.Equal([Row(1, "b1")], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task ClearAsync_StaleVersion_ThrowsConflictAndKeepsStateAndJournal()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], Ct);
        await sut.WriteAsync(Id("a"), "2", 1, [Entry(2)], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.ClearAsync(Id("a"), 1, Ct));

        Assert.Equal(new StoredState("2", 2), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1), Row(2)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task ClearAsync_ExpectingZero_SucceedsForUnknownAndConflictsForExistingGrain()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("exists"), "1", 0, [Entry(1)], Ct);

        await sut.ClearAsync(Id("unknown"), 0, Ct);
        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.ClearAsync(Id("exists"), 0, Ct));

        Assert.Null(await sut.ReadAsync(Id("unknown"), Ct));
        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("exists"), Ct));
    }

    [StorageFact]
    public async Task WriteAsync_ConcurrentWritersWithSameExpectedVersion_ExactlyOneWins()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("a"), "start", 0, [Entry(1)], Ct);
        const int writers = 32;

        var attempts = Enumerable.Range(0, writers)
            .Select(i => Task.Run(() => sut.WriteAsync(Id("a"), $"w{i}", 1, [Entry(2, $"w{i}")], Ct)))
            .ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async attempt =>
        {
            try
            {
                return await attempt;
            }
            catch (GrainStateConflictException)
            {
                return -1L;
            }
        }));

        var winner = Assert.Single(Enumerable.Range(0, writers), i => outcomes[i] == 2);
        Assert.Equal(writers - 1, outcomes.Count(o => o == -1));
        Assert.Equal(new StoredState($"w{winner}", 2), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1), Row(2, $"w{winner}")], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_ConcurrentCreatorsOfOneGrain_ExactlyOneWins()
    {
        var sut = await StartAsync();
        const int writers = 32;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            try
            {
                return await sut.WriteAsync(Id("a"), $"w{i}", 0, [Entry(1, $"w{i}")], Ct);
            }
            catch (GrainStateConflictException)
            {
                return -1L;
            }
        })));

        var winner = Assert.Single(Enumerable.Range(0, writers), i => outcomes[i] == 1);
        Assert.Equal(new StoredState($"w{winner}", 1), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal([Row(1, $"w{winner}")], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_ConflictingWriteAmongConcurrentOnes_FailsAloneAndOthersCommit()
    {
        var sut = await StartAsync();
        await sut.WriteAsync(Id("b"), "1", 0, [], Ct);

        // Issued without awaiting, so the SQLite writer tends to commit them in one group.
        var first = sut.WriteAsync(Id("a"), "a1", 0, [Entry(1)], Ct);
        var conflicting = sut.WriteAsync(Id("b"), "b-stale", 7, [Entry(1)], Ct);
        var third = sut.WriteAsync(Id("c"), "c1", 0, [Entry(1)], Ct);

        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<GrainStateConflictException>(() => conflicting);
        Assert.Equal(1, await third);
        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("b"), Ct));
        Assert.Empty(await JournalAsync(sut, Id("b")));
        Assert.Equal([Row(1)], await JournalAsync(sut, Id("c")));
    }

    [StorageFact]
    public async Task WriteAsync_ManyGrainsConcurrently_AllWritesDurableAfterReopen()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var sut = await StartAsync(connectionString);
        const int grains = 24;
        const int writesPerGrain = 10;

        await Task.WhenAll(Enumerable.Range(0, grains).Select(g => Task.Run(async () =>
        {
            for (var w = 0; w < writesPerGrain; w++)
            {
                await sut.WriteAsync(Id($"g{g}"), $"{w + 1}", w, [Entry(w + 1, $"g{g}w{w}")], Ct);
            }
        })));
        await ((IAsyncDisposable)sut).DisposeAsync();
        var reopened = await StartAsync(connectionString);

        for (var g = 0; g < grains; g++)
        {
            Assert.Equal(new StoredState($"{writesPerGrain}", writesPerGrain), await reopened.ReadAsync(Id($"g{g}"), Ct));
            Assert.Equal(writesPerGrain, (await JournalAsync(reopened, Id($"g{g}"))).Count);
        }
    }

    [StorageFact]
    public async Task WriteAsync_LargeStateAndPayloads_RoundTripExactly()
    {
        var sut = await StartAsync();
        var random = new Random(42);
        var big = new byte[4 * 1024 * 1024];
        random.NextBytes(big);
        var samples = new byte[8000];
        random.NextBytes(samples);
        var state = "\"" + new string('x', 1024 * 1024) + "ü€\"";
        var entries = new List<JournalEntry> { new(1, "big", big) };
        entries.AddRange(Enumerable.Range(2, 1000).Select(i => new JournalEntry(i, null, samples)));

        await sut.WriteAsync(Id("a"), state, 0, entries, Ct);

        Assert.Equal(new StoredState(state, 1), await sut.ReadAsync(Id("a"), Ct));
        var journal = await CollectAsync(sut.ReadJournalAsync(Id("a"), 0, Ct));
        Assert.Equal(1001, journal.Count);
        Assert.Equal(big, journal[0].Payload.ToArray());
        Assert.All(journal.Skip(1), e => Assert.Equal(samples, e.Payload.ToArray()));
        Assert.Equal(Enumerable.Range(1, 1001).Select(i => (long)i), journal.Select(e => e.Sequence));
    }

    [StorageFact]
    public async Task WriteAsync_PayloadSlice_StoresOnlyTheSlice()
    {
        var sut = await StartAsync();
        var buffer = new byte[] { 9, 1, 2, 3, 9 };

        await sut.WriteAsync(Id("a"), "1", 0, [new JournalEntry(1, null, buffer.AsMemory(1, 3))], Ct);

        Assert.Equal([Row(1, null, [1, 2, 3])], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteAsync_CanceledBeforeStart_ThrowsAndWritesNothing()
    {
        var sut = await StartAsync();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], canceled.Token));

        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task WriteAsync_DatabaseErrorThatIsNoConflict_PropagatesAndLaterWritesSucceed()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var sut = await StartAsync(connectionString);
        await sut.WriteAsync(Id("a"), "1", 0, [Entry(1)], Ct);
        await ExecuteSqlAsync(connectionString, "ALTER TABLE grain_journal RENAME TO grain_journal_away");

        await Assert.ThrowsAnyAsync<DbException>(() => sut.WriteAsync(Id("a"), "2", 1, [Entry(2)], Ct));
        await ExecuteSqlAsync(connectionString, "ALTER TABLE grain_journal_away RENAME TO grain_journal");

        Assert.Equal(new StoredState("1", 1), await sut.ReadAsync(Id("a"), Ct));
        Assert.Equal(2, await sut.WriteAsync(Id("a"), "2", 1, [Entry(2)], Ct));
        Assert.Equal([Row(1), Row(2)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task MigrateAsync_SecondStart_AppliesNothingAndKeepsData()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var first = CreateStorage(connectionString);
        Track(first);

        var appliedFirst = await ((IGrainStorageMigrator)first).MigrateAsync(Ct);
        await first.WriteAsync(Id("a"), "kept", 0, [Entry(1)], Ct);
        var second = CreateStorage(connectionString);
        Track(second);
        var appliedSecond = await ((IGrainStorageMigrator)second).MigrateAsync(Ct);
        var appliedThird = await ((IGrainStorageMigrator)second).MigrateAsync(Ct);

        Assert.Equal(KnownMigrations, appliedFirst);
        Assert.Equal(0, appliedSecond);
        Assert.Equal(0, appliedThird);
        Assert.Equal(new StoredState("kept", 1), await second.ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task MigrateAsync_TwoStartsAtOnce_ApplyEachScriptOnce()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var storages = Enumerable.Range(0, 4).Select(_ => CreateStorage(connectionString)).ToList();
        storages.ForEach(Track);

        var applied = await Task.WhenAll(storages.Select(s => Task.Run(() => ((IGrainStorageMigrator)s).MigrateAsync(Ct))));

        Assert.Equal(KnownMigrations, applied.Sum());
        Assert.Equal(1, await storages[0].WriteAsync(Id("a"), "1", 0, [], Ct));
        Assert.Equal(new StoredState("1", 1), await storages[3].ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task MigrateAsync_DatabaseFromNewerBuild_ThrowsNamingBothVersions()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await StartAsync(connectionString);
        await ExecuteSqlAsync(connectionString, "INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future')");
        var sut = CreateStorage(connectionString);
        Track(sut);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ((IGrainStorageMigrator)sut).MigrateAsync(Ct));

        Assert.Equal(
            "The database schema is at version 99, but this build knows versions up to 1. " +
            "It was migrated by a newer build; downgrades are not supported.", error.Message);
    }

    [StorageFact]
    public async Task PingAsync_MigratedDatabase_ReturnsTrue()
    {
        var sut = await StartAsync();

        Assert.True(await sut.PingAsync(Ct));
    }

    [StorageFact]
    public async Task PingAsync_DatabaseWithoutSchema_ReturnsFalse()
    {
        var sut = CreateStorage(await CreateEmptyDatabaseAsync());
        Track(sut);

        Assert.False(await sut.PingAsync(Ct));
    }

    private protected StorageKey Id(string key) => new(_grainType, key);

    private protected async Task<IGrainStorage> StartAsync(string? connectionString = null)
    {
        var storage = CreateStorage(connectionString ?? ConnectionString);
        Track(storage);
        await ((IGrainStorageMigrator)storage).MigrateAsync(Ct);
        return storage;
    }

    private void Track(IGrainStorage storage) => _storages.Add((IAsyncDisposable)storage);

    /// <summary>A journal entry whose payload is derived from its sequence number, so rows are recognisable.</summary>
    private protected static JournalEntry Entry(long sequence, string? batchId = null) => new(sequence, batchId, PayloadOf(sequence));

    private static byte[] PayloadOf(long sequence) => [.. Enumerable.Range(0, 16).Select(i => (byte)((sequence * 31) + i))];

    /// <summary>A journal row in a comparable shape (payload as hex, since memory compares by reference).</summary>
    private protected static (long Sequence, string? BatchId, string Payload) Row(long sequence, string? batchId = null, byte[]? payload = null) =>
        (sequence, batchId, Convert.ToHexString(payload ?? PayloadOf(sequence)));

    private protected async Task<List<(long Sequence, string? BatchId, string Payload)>> JournalAsync(
        IGrainStorage storage, StorageKey id, long afterSequence = 0) =>
        [.. (await CollectAsync(storage.ReadJournalAsync(id, afterSequence, Ct)))
            .Select(e => (e.Sequence, e.BatchId, Convert.ToHexString(e.Payload.Span)))];

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
