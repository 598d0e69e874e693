using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Verification.Silo.Storage;
using Verification.Silo.Storage.Migrations;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// Our reminder table and OrleansQuery rows (schema version 4: Storage/Sql/Sqlite/0004, Storage/Sql/Postgres/0004), driven through Orleans'
/// own ADO.NET reminder table (Microsoft.Orleans.Reminders.AdoNet, resolved as the silo resolves it), so query keys,
/// parameter names and types and result columns are the provider's. Each test migrates a database of its own.
/// </summary>
public abstract class ReminderTableContractTests : IAsyncLifetime
{
    private const string ServiceId = "verification";

    private readonly List<IAsyncDisposable> _disposables = [];

    private protected abstract string Invariant { get; }

    private protected abstract IReadOnlyList<SchemaMigration> Migrations { get; }

    private protected abstract Task<string> CreateEmptyDatabaseAsync();

    private protected abstract IGrainStorage CreateStorage(string connectionString);

    private protected abstract DbConnection CreateConnection(string connectionString);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [StorageFact]
    public async Task UpsertRow_NewThenChanged_ReadRowReturnsLatestWithNewETag()
    {
        var sut = await TableAsync();
        var grain = GrainId.Create("deployment", "d1");

        var first = await sut.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));
        var second = await sut.UpsertRow(Entry(grain, "clock", Start.AddSeconds(90), TimeSpan.FromMinutes(2)));
        var read = await sut.ReadRow(grain, "clock");

        Assert.Equal(("1", "2"), (first, second));
        Assert.Equal((grain, "clock", Start.AddSeconds(90), TimeSpan.FromMinutes(2), "2"), Shape(read!));
        Assert.Equal(DateTimeKind.Utc, read!.StartAt.Kind);
        Assert.Null(await sut.ReadRow(grain, "other"));
        Assert.Null(await sut.ReadRow(GrainId.Create("deployment", "D1"), "clock"));
    }

    [StorageFact]
    public async Task UpsertRow_PeriodBeyondInt32Milliseconds_ReadsBackExactly()
    {
        var sut = await TableAsync();
        var grain = GrainId.Create("deployment", "long");
        var thirtyDays = TimeSpan.FromDays(30);

        await sut.UpsertRow(Entry(grain, "clock", Start, thirtyDays));

        Assert.Equal(thirtyDays, (await sut.ReadRow(grain, "clock"))!.Period);
    }

    [StorageFact]
    public async Task ReadRows_ByGrain_ReturnsThatGrainsRemindersOnly()
    {
        var sut = await TableAsync();
        var grain = GrainId.Create("deployment", "a`b%/c");
        await sut.UpsertRow(Entry(grain, "one", Start, TimeSpan.FromMinutes(1)));
        await sut.UpsertRow(Entry(grain, "two", Start, TimeSpan.FromMinutes(1)));
        await sut.UpsertRow(Entry(GrainId.Create("deployment", "other"), "one", Start, TimeSpan.FromMinutes(1)));

        var rows = await sut.ReadRows(grain);

        Assert.Equal(["one", "two"], rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
    }

    /// <summary>
    /// A silo reads the reminders of its part of the hash ring, (begin, end] on the unsigned ring, wrapping past
    /// uint.MaxValue when begin ≥ end. The ranges cross zero and the signed boundary (0x80000000) both ways.
    /// </summary>
    [StorageFact]
    public async Task ReadRows_HashRanges_ReturnExactlyTheRemindersInEachRange()
    {
        var sut = await TableAsync();
        var grains = Enumerable.Range(0, 120).Select(i => GrainId.Create("deployment", $"g{i}")).ToList();
        foreach (var grain in grains)
        {
            await sut.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));
        }

        foreach (var (begin, end) in Ranges)
        {
            var rows = await sut.ReadRows(begin, end);

            var expected = grains.Where(g => InRange(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, rows.Reminders.Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal));
        }

        static bool InRange(uint hash, uint begin, uint end) => begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
    }

    /// <summary>
    /// Parts of the hash ring a silo may own, (begin, end] on the unsigned ring, wrapping past uint.MaxValue when
    /// begin ≥ end (equal: the whole ring). They lie on either side of the signed boundary 0x80000000, cross it, and wrap.
    /// </summary>
    private static readonly (uint Begin, uint End)[] Ranges =
    [
        (0x1000_0000u, 0x7000_0000u),
        (0x9000_0000u, 0xF000_0000u),
        (0x0000_0010u, 0x9000_0000u),
        (0x9000_0000u, 0x2000_0000u),
        (0xF000_0000u, 0x1000_0000u),
        (0x4000_0000u, 0x4000_0000u),
    ];

    [StorageFact]
    public async Task RemoveRow_StaleETagThenCurrent_DeletesOnlyWithTheCurrentETag()
    {
        var sut = await TableAsync();
        var grain = GrainId.Create("deployment", "r1");
        await sut.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));
        var current = await sut.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));

        var stale = await sut.RemoveRow(grain, "clock", "1");
        var kept = await sut.ReadRow(grain, "clock");
        var removed = await sut.RemoveRow(grain, "clock", current!);
        var again = await sut.RemoveRow(grain, "clock", current!);

        Assert.Equal((false, true, false), (stale, removed, again));
        Assert.Equal(current, kept!.ETag);
        Assert.Null(await sut.ReadRow(grain, "clock"));
    }

    [StorageFact]
    public async Task ClearTable_TwoServicesInOneDatabase_ClearsOnlyItsOwnService()
    {
        var connectionString = await MigratedDatabaseAsync();
        var sut = await TableAsync(connectionString);
        var neighbour = await TableAsync(connectionString, "other-cluster");
        var grain = GrainId.Create("deployment", "c1");
        await sut.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));
        await neighbour.UpsertRow(Entry(grain, "clock", Start, TimeSpan.FromMinutes(1)));

        await sut.TestOnlyClearTable();

        Assert.Null(await sut.ReadRow(grain, "clock"));
        Assert.NotNull(await neighbour.ReadRow(grain, "clock"));
        Assert.Single((await neighbour.ReadRows(0u, 0u)).Reminders);
    }

    /// <summary>A database of the build before the reminders (every version below them) gets them and the later versions, and keeps its grain state.</summary>
    [StorageFact]
    public async Task MigrateAsync_DatabaseOfPreviousVersion_AddsRemindersAndKeepsGrainState()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        var reminders = Migrations.Single(m => m.Name.EndsWith("_orleans_reminders", StringComparison.Ordinal));
        var previous = Migrations.Where(m => m.Version < reminders.Version).ToList();
        var sql = new StringBuilder("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT '');\n");
        foreach (var migration in previous)
        {
            sql.AppendLine(migration.Sql).AppendLine($"INSERT INTO schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}');");
        }

        sql.AppendLine("INSERT INTO grain_state (grain_type, grain_key, version, state, updated_at) VALUES ('deployment', 'old', 3, '{\"status\":\"VERIFYING\"}', '2026-11-01T00:00:00Z');");
        await ExecuteAsync(connectionString, sql.ToString());
        var storage = Track(CreateStorage(connectionString));

        var applied = await ((IGrainStorageMigrator)storage).MigrateAsync(CancellationToken.None);
        var table = await TableAsync(connectionString);
        var etag = await table.UpsertRow(Entry(GrainId.Create("deployment", "old"), "clock", Start, TimeSpan.FromMinutes(1)));

        Assert.Equal((Migrations.Count - previous.Count, "1"), (applied, etag));
        Assert.Equal(Migrations[^1].Name, await ScalarAsync(connectionString, "SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1"));
        Assert.Equal(new StoredState("""{"status":"VERIFYING"}""", 3), await storage.ReadAsync(new StorageKey("deployment", "old"), CancellationToken.None));
    }

    /// <summary>A whole millisecond in UTC: both databases keep at least that precision.</summary>
    private static readonly DateTime Start = new(2026, 11, 26, 1, 2, 3, 456, DateTimeKind.Utc);

    private static ReminderEntry Entry(GrainId grain, string name, DateTime start, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = name, StartAt = start, Period = period };

    private static (GrainId, string, DateTime, TimeSpan, string?) Shape(ReminderEntry e) => (e.GrainId, e.ReminderName, e.StartAt, e.Period, e.ETag);

    private async Task<string> MigratedDatabaseAsync()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await ((IGrainStorageMigrator)Track(CreateStorage(connectionString))).MigrateAsync(CancellationToken.None);
        return connectionString;
    }

    /// <summary>Orleans' ADO.NET reminder table over <paramref name="connectionString"/> (a new migrated database when null).</summary>
    private async Task<IReminderTable> TableAsync(string? connectionString = null, string serviceId = ServiceId)
    {
        connectionString ??= await MigratedDatabaseAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (serviceId, serviceId));
        services.UseAdoNetReminderService(o => o.Configure(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        }));
        var provider = services.BuildServiceProvider();
        _disposables.Add(provider);
        var table = provider.GetRequiredService<IReminderTable>();
        await table.StartAsync(CancellationToken.None);
        return table;
    }

    private IGrainStorage Track(IGrainStorage storage)
    {
        _disposables.Add((IAsyncDisposable)storage);
        return storage;
    }

    private async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = CreateConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = CreateConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>The reminder contract on SQLite (temporary files).</summary>
public sealed class SqliteReminderTableTests(SqliteDatabaseFixture database)
    : ReminderTableContractTests, IClassFixture<SqliteDatabaseFixture>
{
    private protected override string Invariant => Verification.Silo.Cluster.SiloBuilderExtensions.SqliteInvariant;

    private protected override IReadOnlyList<SchemaMigration> Migrations => SqliteMigrations.All;

    private protected override Task<string> CreateEmptyDatabaseAsync() => Task.FromResult(database.CreateEmptyDatabase());

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new SqliteGrainStorage(connectionString, NullLogger<SqliteGrainStorage>.Instance);

    private protected override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);
}

/// <summary>The reminder contract on a real PostgreSQL server (a fresh database per test).</summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class PostgresReminderTableTests(PostgresDatabaseFixture database)
    : ReminderTableContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private protected override string Invariant => Verification.Silo.Cluster.SiloBuilderExtensions.PostgresInvariant;

    private protected override IReadOnlyList<SchemaMigration> Migrations => PostgresMigrations.All;

    private protected override Task<string> CreateEmptyDatabaseAsync() => database.CreateEmptyDatabaseAsync();

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new PostgresGrainStorage(connectionString, NullLogger<PostgresGrainStorage>.Instance);

    private protected override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);
}
