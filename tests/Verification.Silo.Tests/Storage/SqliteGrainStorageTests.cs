using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

/// <summary>The storage contract on SQLite (temporary files), plus what only SQLite has: file, pragmas.</summary>
public sealed class SqliteGrainStorageTests(SqliteDatabaseFixture database)
    : GrainStorageContractTests, IClassFixture<SqliteDatabaseFixture>
{
    private protected override string ConnectionString => database.ConnectionString;

    private protected override Task<string> CreateEmptyDatabaseAsync() => Task.FromResult(database.CreateEmptyDatabase());

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new SqliteGrainStorage(connectionString, TimeProvider.System, NullLogger<SqliteGrainStorage>.Instance);

    private protected override async Task ExecuteSqlAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

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
    public async Task WriteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var sut = (SqliteGrainStorage)await StartAsync();
        await sut.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => sut.WriteAsync(Id("a"), "1", 0, [], Ct));
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
