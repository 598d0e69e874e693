using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Verification.Silo.Storage;
using Verification.Silo.Storage.Migrations;

namespace Verification.Silo.Tests.Storage;

/// <summary>The storage contract on SQLite (temporary files), plus what only SQLite has: file, pragmas.</summary>
public sealed class SqliteGrainStorageTests(SqliteDatabaseFixture database)
    : GrainStorageContractTests, IClassFixture<SqliteDatabaseFixture>
{
    private protected override string ConnectionString => database.ConnectionString;

    private protected override Task<string> CreateEmptyDatabaseAsync() => Task.FromResult(database.CreateEmptyDatabase());

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new SqliteGrainStorage(connectionString, NullLogger<SqliteGrainStorage>.Instance);

    private protected override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    private protected override string Version1Sql => SqliteMigrations.All[0].Sql;

    private protected override int KnownMigrations => SqliteMigrations.All.Count;

    [Fact]
    public async Task MigrateAsync_MissingNestedDirectory_CreatesDirectoryAndWalDatabase()
    {
        var path = Path.Combine(database.Directory, "new", "nested", "verification.db");

        await StartAsync(SqliteDatabaseFixture.ConnectionStringFor(path));

        Assert.True(File.Exists(path));
        Assert.Equal("wal", await PragmaAsync(SqliteDatabaseFixture.ConnectionStringFor(path), "journal_mode"));
    }

    [Fact]
    public async Task OpenConnection_WriterSettings_SyncFullWithForeignKeysAndBusyTimeout()
    {
        var connectionString = await CreateEmptyDatabaseAsync();
        await StartAsync(connectionString);

        using var sut = SqliteWriter.OpenConnection(connectionString);

        // synchronous: 2 = FULL (NORMAL = 1 would acknowledge writes a power loss can take back).
        Assert.Equal(2L, Scalar(sut, "PRAGMA synchronous"));
        Assert.Equal(1L, Scalar(sut, "PRAGMA foreign_keys"));
        Assert.Equal(5000L, Scalar(sut, "PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task AppendAsync_FilesAsLeftByAProcessKilledRightAfterTheAcknowledgement_HoldTheAppend()
    {
        // A killed process leaves exactly what it had handed to the OS: copying the files while the writer still
        // holds them open (no checkpoint, no close) is that state. The acknowledged write must be in it.
        var path = Path.Combine(database.Directory, "crash", "verification.db");
        var sut = await StartAsync(SqliteDatabaseFixture.ConnectionStringFor(path));
        await sut.AppendAsync(Id("a"), [Entry(1)], Ct);
        await sut.AppendAsync(Id("a"), [Entry(2)], Ct);
        var copy = Path.Combine(database.Directory, "crash-copy", "verification.db");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(path, copy);
        File.Copy(path + "-wal", copy + "-wal");

        var recovered = await StartAsync(SqliteDatabaseFixture.ConnectionStringFor(copy));

        Assert.True(new FileInfo(path + "-wal").Length > 0);
        Assert.Equal([Row(1), Row(2)], await JournalAsync(recovered, Id("a")));
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var sut = (SqliteGrainStorage)await StartAsync();
        await sut.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sut.AppendAsync(Id("a"), [Entry(1)], Ct));
    }

    private static async Task<string?> PragmaAsync(string connectionString, string pragma)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {pragma}";
        return (string?)await command.ExecuteScalarAsync();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
