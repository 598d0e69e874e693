using Npgsql;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// Fresh PostgreSQL databases for one test class on the server named by <c>VERIFICATION_TEST_POSTGRES</c>
/// (started by test.sh), dropped afterwards.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public const string Variable = "VERIFICATION_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private string? _serverConnectionString;

    public string ConnectionString { get; private set; } = "";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: PostgreSQL storage tests need a server (./test.sh starts one). " +
                "Under CI=true they fail rather than skip.");

    public async Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)) && !RequiresEnvironmentAttribute.IsCi)
        {
            return; // every test of the class is skipped by StorageFactDiscoverer
        }

        _serverConnectionString = ServerConnectionString;
        ConnectionString = await CreateEmptyDatabaseAsync();
    }

    public async Task<string> CreateEmptyDatabaseAsync()
    {
        var server = _serverConnectionString ?? ServerConnectionString;
        var name = $"verification_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_serverConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
