using System.Data.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Verification.Silo.Storage;
using Verification.Silo.Storage.Migrations;

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
        new PostgresGrainStorage(connectionString, NullLogger<PostgresGrainStorage>.Instance);

    private protected override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    private protected override string Version1Sql => PostgresMigrations.All[0].Sql;

    private protected override int KnownMigrations => PostgresMigrations.All.Count;

    [StorageFact]
    public async Task PingAsync_UnreachableServer_ReturnsFalse()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        var sut = CreateStorage(unreachable);
        await using var disposable = (IAsyncDisposable)sut;

        Assert.False(await sut.PingAsync(Ct));
    }
}
