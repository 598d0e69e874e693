using System.Data;
using System.Data.Common;
using System.Text;
using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// What each database promises, run against each real database by a subclass: the journal store and read side
/// (<see cref="IGrainStorage"/>), the schema migrations, and our <c>OrleansQuery</c> rows that Orleans' ADO.NET grain
/// storage runs for grain state — called here exactly as the provider calls them (same query keys, parameter names and
/// types, result columns). Tests of one class share a database; each test uses its own grain type so they cannot see
/// each other.
/// </summary>
public abstract class GrainStorageContractTests : IAsyncLifetime
{

    private readonly List<IAsyncDisposable> _storages = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly string _grainType = $"test-{Guid.NewGuid():N}";

    private protected CancellationToken Ct => _timeout.Token;

    private protected abstract string ConnectionString { get; }

    private protected abstract Task<string> CreateEmptyDatabaseAsync();

    /// <summary>A new, not yet migrated provider instance (it also implements the migrator and IAsyncDisposable).</summary>
    private protected abstract IGrainStorage CreateStorage(string connectionString);

    private protected abstract DbConnection CreateConnection(string connectionString);

    /// <summary>The script of schema version 1 (what a database of the previous build has).</summary>
    private protected abstract string Version1Sql { get; }

    /// <summary>How many schema versions this build knows for the provider (PostgreSQL adds cluster membership).</summary>
    private protected abstract int KnownMigrations { get; }

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
    public async Task AppendAsync_BeforeAnyState_StoresEntriesReadInOrderAfterSequence()
    {
        var sut = await StartAsync();
        await sut.AppendAsync(Id("a"), [Entry(1, "b1"), Entry(2), Entry(3, "b3")], Ct);
        await sut.AppendAsync(Id("a"), [Entry(5), Entry(4, "b4")], Ct);
        await sut.AppendAsync(Id("other"), [Entry(3), Entry(4), Entry(6)], Ct);

        var journal = await JournalAsync(sut, Id("a"), afterSequence: 2);

        Assert.Equal([Row(3, "b3"), Row(4, "b4"), Row(5)], journal);
        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task AppendAsync_DuplicateBatchIdInLastEntry_ThrowsConflictAndAppendsNothing()
    {
        var sut = await StartAsync();
        await sut.AppendAsync(Id("a"), [Entry(1, "b1")], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.AppendAsync(Id("a"), [Entry(2, "b2"), Entry(3, "b1")], Ct));

        Assert.Equal([Row(1, "b1")], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task AppendAsync_DuplicateSequence_ThrowsConflictAndAppendsNothing()
    {
        var sut = await StartAsync();
        await sut.AppendAsync(Id("a"), [Entry(1)], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => sut.AppendAsync(Id("a"), [Entry(1, "new")], Ct));

        Assert.Equal([Row(1)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task AppendAsync_SameBatchIdOnOtherGrainAndManyNullBatchIds_Succeeds()
    {
        var sut = await StartAsync();
        await sut.AppendAsync(Id("a"), [Entry(1, "shared"), Entry(2), Entry(3)], Ct);

        await sut.AppendAsync(Id("b"), [Entry(1, "shared"), Entry(2), Entry(3)], Ct);

        Assert.Equal([Row(1, "shared"), Row(2), Row(3)], await JournalAsync(sut, Id("b")));
    }

    [StorageFact]
    public async Task AppendAsync_ManyGrainsConcurrently_AllDurableAfterReopen()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var sut = await StartAsync(connectionString);
        const int grains = 24;
        const int appendsPerGrain = 10;

        await Task.WhenAll(Enumerable.Range(0, grains).Select(g => Task.Run(async () =>
        {
            for (var w = 0; w < appendsPerGrain; w++)
            {
                await sut.AppendAsync(Id($"g{g}"), [Entry(w + 1, $"g{g}w{w}")], Ct);
            }
        })));
        await ((IAsyncDisposable)sut).DisposeAsync();
        var reopened = await StartAsync(connectionString);

        for (var g = 0; g < grains; g++)
        {
            Assert.Equal(appendsPerGrain, (await JournalAsync(reopened, Id($"g{g}"))).Count);
        }
    }

    [StorageFact]
    public async Task AppendAsync_LargePayloads_RoundTripExactly()
    {
        var sut = await StartAsync();
        var random = new Random(42);
        var big = new byte[4 * 1024 * 1024];
        random.NextBytes(big);
        var samples = new byte[8000];
        random.NextBytes(samples);
        var entries = new List<JournalEntry> { new(1, "big", big) };
        entries.AddRange(Enumerable.Range(2, 1000).Select(i => new JournalEntry(i, null, samples)));

        await sut.AppendAsync(Id("a"), entries, Ct);

        var journal = await CollectAsync(sut.ReadJournalAsync(Id("a"), 0, Ct));
        Assert.Equal(1001, journal.Count);
        Assert.Equal(big, journal[0].Payload.ToArray());
        Assert.All(journal.Skip(1), e => Assert.Equal(samples, e.Payload.ToArray()));
        Assert.Equal(Enumerable.Range(1, 1001).Select(i => (long)i), journal.Select(e => e.Sequence));
    }

    [StorageFact]
    public async Task AppendAsync_PayloadSlice_StoresOnlyTheSlice()
    {
        var sut = await StartAsync();
        var buffer = new byte[] { 9, 1, 2, 3, 9 };

        await sut.AppendAsync(Id("a"), [new JournalEntry(1, null, buffer.AsMemory(1, 3))], Ct);

        Assert.Equal([Row(1, null, [1, 2, 3])], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task AppendAsync_CanceledBeforeStart_ThrowsAndAppendsNothing()
    {
        var sut = await StartAsync();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.AppendAsync(Id("a"), [Entry(1)], canceled.Token));

        Assert.Empty(await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task AppendAsync_DatabaseErrorThatIsNoConflict_PropagatesAndLaterAppendsSucceed()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var sut = await StartAsync(connectionString);
        await sut.AppendAsync(Id("a"), [Entry(1)], Ct);
        await ExecuteSqlAsync(connectionString, "ALTER TABLE grain_journal RENAME TO grain_journal_away");

        await Assert.ThrowsAnyAsync<DbException>(() => sut.AppendAsync(Id("a"), [Entry(2)], Ct));
        await ExecuteSqlAsync(connectionString, "ALTER TABLE grain_journal_away RENAME TO grain_journal");

        await sut.AppendAsync(Id("a"), [Entry(2)], Ct);
        Assert.Equal([Row(1), Row(2)], await JournalAsync(sut, Id("a")));
    }

    [StorageFact]
    public async Task WriteToStorageKey_NewThenMatchingVersion_ReturnsVersionsAndReadsBack()
    {
        await StartAsync();

        var first = await WriteStateAsync(Id("a"), """{"n":1}""", null);
        var second = await WriteStateAsync(Id("a"), """{"n":2}""", 1);

        Assert.Equal((1, 2), (first, second));
        Assert.Equal(("""{"n":2}""", 2), await ReadStateAsync(Id("a")));
        Assert.Equal(new StoredState("""{"n":2}""", 2), await (await StartAsync()).ReadAsync(Id("a"), Ct));
    }

    [StorageFact]
    public async Task WriteToStorageKey_StaleOrMissingVersion_ReturnsNoVersionAndWritesNothing()
    {
        await StartAsync();
        await WriteStateAsync(Id("a"), "1", null);
        await WriteStateAsync(Id("a"), "2", 1);

        var stale = await WriteStateAsync(Id("a"), "stale", 1);
        var expectingNew = await WriteStateAsync(Id("a"), "new", null);
        var unknown = await WriteStateAsync(Id("nobody"), "x", 3);

        Assert.Equal((null, null, null), (stale, expectingNew, unknown));
        Assert.Equal(("2", 2), await ReadStateAsync(Id("a")));
        Assert.Null(await ReadStateAsync(Id("nobody")));
    }

    [StorageFact]
    public async Task WriteToStorageKey_ConcurrentWritersWithSameExpectedVersion_ExactlyOneWins()
    {
        await StartAsync();
        await WriteStateAsync(Id("a"), "0", null);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => WriteStateAsync(Id("a"), $"{i}", 1))));

        Assert.Equal(1, results.Count(r => r == 2));
        Assert.Equal(2, (await ReadStateAsync(Id("a")))!.Value.Version);
    }

    [StorageFact]
    public async Task ClearStorageKey_MatchingVersion_DeletesStateAndJournalElseNothing()
    {
        var sut = await StartAsync();
        await sut.AppendAsync(Id("a"), [Entry(1, "b1")], Ct);
        await WriteStateAsync(Id("a"), "1", null);

        var stale = await ClearStateAsync(Id("a"), 5);
        var kept = await JournalAsync(sut, Id("a"));
        var cleared = await ClearStateAsync(Id("a"), 1);

        Assert.Equal((null, 2), (stale, cleared));
        Assert.Equal([Row(1, "b1")], kept);
        Assert.Null(await sut.ReadAsync(Id("a"), Ct));
        Assert.Empty(await JournalAsync(sut, Id("a")));
        Assert.Equal(1, await WriteStateAsync(Id("a"), "again", null));
    }

    [StorageFact]
    public async Task ListAsync_Paging_ReturnsOnlyThatTypeInOrdinalKeyOrderPageByPage()
    {
        var sut = await StartAsync();
        foreach (var key in new[] { "b", "a", "c", "B", "a1" })
        {
            await WriteStateAsync(Id(key), $"\"{key}\"", null);
        }

        await WriteStateAsync(new StorageKey(_grainType + "-other", "a0"), "{}", null);
        await WriteStateAsync(Id("a1"), "\"a1v2\"", 1);

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
    public async Task ListAsync_JournalAheadOfState_ListsItsLastSequence()
    {
        var sut = await StartAsync();
        await WriteStateAsync(Id("a"), "\"a\"", null);
        await WriteStateAsync(Id("b"), "\"b\"", null);
        await sut.AppendAsync(Id("a"), [Entry(1, "b1"), Entry(2, null)], Ct);
        await sut.AppendAsync(Id("a"), [Entry(3, "b3")], Ct);

        var listed = await sut.ListAsync(_grainType, null, 10, Ct);

        Assert.Equal([new StoredGrain("a", "\"a\"", 1, 3), new StoredGrain("b", "\"b\"", 1, 0)], listed);
    }

    [StorageFact]
    public async Task MigrateAsync_DatabaseOfVersion1_KeepsStatesAndJournalsReadableByOrleans()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await ExecuteSqlAsync(connectionString, $$"""
            CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT '');
            {{Version1Sql}}
            INSERT INTO schema_migrations (version, name) VALUES (1, '0001_initial');
            INSERT INTO grain_state (grain_type, grain_key, version, state, updated_at)
                VALUES ('{{_grainType}}', 'old', 7, '{"status":"VERIFYING"}', '2026-11-01T00:00:00Z');
            """);
        var sut = CreateStorage(connectionString);
        Track(sut);
        await AppendVersion1Async(connectionString);

        var applied = await ((IGrainStorageMigrator)sut).MigrateAsync(Ct);

        Assert.Equal(KnownMigrations - 1, applied);
        Assert.Equal(new StoredState("""{"status":"VERIFYING"}""", 7), await sut.ReadAsync(Id("old"), Ct));
        Assert.Equal([Row(1, "b1")], await JournalAsync(sut, Id("old")));
        Assert.Equal(("""{"status":"VERIFYING"}""", 7), await ReadStateAsync(Id("old"), connectionString));
        Assert.Equal(8, await WriteStateAsync(Id("old"), """{"status":"PROMOTED"}""", 7, connectionString));
    }

    [StorageFact]
    public async Task MigrateAsync_SecondStart_AppliesNothingAndKeepsData()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var first = CreateStorage(connectionString);
        Track(first);

        var appliedFirst = await ((IGrainStorageMigrator)first).MigrateAsync(Ct);
        await first.AppendAsync(Id("a"), [Entry(1)], Ct);
        var second = CreateStorage(connectionString);
        Track(second);
        var appliedSecond = await ((IGrainStorageMigrator)second).MigrateAsync(Ct);
        var appliedThird = await ((IGrainStorageMigrator)second).MigrateAsync(Ct);

        Assert.Equal(KnownMigrations, appliedFirst);
        Assert.Equal(0, appliedSecond);
        Assert.Equal(0, appliedThird);
        Assert.Equal([Row(1)], await JournalAsync(second, Id("a")));
    }

    [StorageFact]
    public async Task MigrateAsync_TwoStartsAtOnce_ApplyEachScriptOnce()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var storages = Enumerable.Range(0, 4).Select(_ => CreateStorage(connectionString)).ToList();
        storages.ForEach(Track);

        var applied = await Task.WhenAll(storages.Select(s => Task.Run(() => ((IGrainStorageMigrator)s).MigrateAsync(Ct))));

        Assert.Equal(KnownMigrations, applied.Sum());
        await storages[0].AppendAsync(Id("a"), [Entry(1)], Ct);
        Assert.Equal([Row(1)], await JournalAsync(storages[3], Id("a")));
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
            $"The database schema is at version 99, but this build knows versions up to {KnownMigrations}. " +
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

    private protected async Task ExecuteSqlAsync(string connectionString, string sql)
    {
        await using var connection = CreateConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>Runs <c>WriteToStorageKey</c> as Orleans does; the new version, or null for a conflict (no version back).</summary>
    private protected Task<int?> WriteStateAsync(StorageKey id, string json, int? expectedVersion, string? connectionString = null) =>
        RunOrleansQueryAsync("WriteToStorageKey", id, expectedVersion, Encoding.UTF8.GetBytes(json), connectionString);

    private Task<int?> ClearStateAsync(StorageKey id, int expectedVersion) =>
        RunOrleansQueryAsync("ClearStorageKey", id, expectedVersion, null, null);

    /// <summary>Runs <c>ReadFromStorageKey</c> as Orleans does: the payload as text and the version, or null.</summary>
    private async Task<(string Json, int Version)?> ReadStateAsync(StorageKey id, string? connectionString = null)
    {
        await using var connection = CreateConnection(connectionString ?? ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = await OrleansCommandAsync(connection, "ReadFromStorageKey", id, null, null);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        return await reader.ReadAsync(Ct)
            ? (Encoding.UTF8.GetString((byte[])reader[reader.GetOrdinal("PayloadBinary")]), Convert.ToInt32(reader[reader.GetOrdinal("Version")]))
            : null;
    }

    private async Task<int?> RunOrleansQueryAsync(string key, StorageKey id, int? expectedVersion, byte[]? payload, string? connectionString)
    {
        await using var connection = CreateConnection(connectionString ?? ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = await OrleansCommandAsync(connection, key, id, expectedVersion, payload);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        int? version = null;
        do
        {
            while (await reader.ReadAsync(Ct))
            {
                version = reader.IsDBNull(0) ? null : Convert.ToInt32(reader.GetValue(0));
            }
        }
        while (await reader.NextResultAsync(Ct));

        return version;
    }

    /// <summary>The query text stored under <paramref name="key"/>, with every parameter the provider binds (names and types).</summary>
    private async Task<DbCommand> OrleansCommandAsync(DbConnection connection, string key, StorageKey id, int? expectedVersion, byte[]? payload)
    {
        await using var lookup = connection.CreateCommand();
        lookup.CommandText = $"SELECT QueryText FROM OrleansQuery WHERE QueryKey = '{key}'";
        var text = (string)(await lookup.ExecuteScalarAsync(Ct))!;
        var command = connection.CreateCommand();
        command.CommandText = text;
        Add(command, "GrainIdHash", 17, DbType.Int32);
        Add(command, "GrainIdN0", 0L, DbType.Int64);
        Add(command, "GrainIdN1", 0L, DbType.Int64);
        Add(command, "GrainTypeHash", 23, DbType.Int32);
        // Our grains name their state "{type}/{key}"; the provider's key extension is null for keys it reads as numbers.
        Add(command, "GrainTypeString", id.ToString(), DbType.String);
        Add(command, "GrainIdExtensionString", null, DbType.String);
        Add(command, "ServiceId", "verification", DbType.String);
        Add(command, "GrainStateVersion", expectedVersion, DbType.Int32);
        if (payload is not null)
        {
            Add(command, "PayloadBinary", payload, DbType.Binary);
        }

        return command;

        static void Add(DbCommand command, string name, object? value, DbType type)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
        }
    }

    private async Task AppendVersion1Async(string connectionString)
    {
        await using var connection = CreateConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO grain_journal (grain_type, grain_key, seq, batch_id, payload) VALUES ('{_grainType}', 'old', 1, 'b1', @payload)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "payload";
        parameter.Value = PayloadOf(1);
        parameter.DbType = DbType.Binary;
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(Ct);
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
