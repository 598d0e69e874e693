using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// The storage contract on a real PostgreSQL server (a fresh database per class). Skipped when
/// VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class PostgresGrainStorageTests(PostgresDatabaseFixture database)
    : GrainStorageContractTests, IClassFixture<PostgresDatabaseFixture>
{
    private protected override string ConnectionString => database.ConnectionString;

    private protected override Task<string> CreateEmptyDatabaseAsync() => database.CreateEmptyDatabaseAsync();

    private protected override IGrainStorage CreateStorage(string connectionString) =>
        new PostgresGrainStorage(connectionString, TimeProvider.System, NullLogger<PostgresGrainStorage>.Instance);

    private protected override async Task ExecuteSqlAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [StorageFact]
    public async Task PingAsync_UnreachableServer_ReturnsFalse()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        var sut = CreateStorage(unreachable);
        await using var disposable = (IAsyncDisposable)sut;

        Assert.False(await sut.PingAsync(Ct));
    }

    [StorageFact]
    public async Task WriteAsync_TwoProcessesOverOneDatabase_SeeEachOthersVersions()
    {
        // Two storage instances stand in for two silo processes: separate data sources, separate connections.
        var sut = await StartAsync();
        var other = await StartAsync();
        await sut.WriteAsync(Id("a"), "from sut", 0, [], Ct);

        await Assert.ThrowsAsync<GrainStateConflictException>(() => other.WriteAsync(Id("a"), "from other", 0, [], Ct));
        Assert.Equal(2, await other.WriteAsync(Id("a"), "from other", 1, [], Ct));

        Assert.Equal(new StoredState("from other", 2), await sut.ReadAsync(Id("a"), Ct));
    }
}
