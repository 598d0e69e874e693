using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

using Verification.Silo.Storage.Migrations;

namespace Verification.Silo.Storage;

/// <summary>
/// The embedded default: one SQLite file. Writes go through the group-committing <see cref="SqliteWriter"/>
/// (one writer connection); reads use pooled connections of their own, which WAL lets run next to the writer.
/// Meant for one silo process: several processes on one file would be serialised by SQLite's lock but not
/// group-committed, and no network file system gives SQLite the locking it needs.
/// </summary>
internal sealed class SqliteGrainStorage : IGrainStorage, IGrainStorageMigrator, IAsyncDisposable, IDisposable
{
    private const string Provider = "sqlite";
    private const int SqliteBusyTimeoutSeconds = 30;

    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly string _dataSource;
    private readonly ILogger<SqliteGrainStorage> _logger;
    private readonly SqliteWriter _writer;

    public SqliteGrainStorage(string connectionString, ILogger<SqliteGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _logger = logger;
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = SqliteBusyTimeoutSeconds,
        };
        _dataSource = builder.DataSource;
        CreateDirectoryOf(_dataSource);

        // The writer keeps its connection for the life of the process; unpooled so that disposing closes the file.
        builder.Pooling = false;
        _writeConnectionString = builder.ToString();
        builder.Pooling = true;
        _readConnectionString = builder.ToString();
        _writer = new SqliteWriter(_writeConnectionString, logger);
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        using var connection = SqliteWriter.OpenConnection(_writeConnectionString);
        // BEGIN IMMEDIATE takes the write lock first, so two processes starting at once apply each script once.
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """);
        var applied = new List<long>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT version FROM schema_migrations";
            using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        var pending = SchemaMigrationPlan.Pending(SqliteMigrations.All, applied);
        foreach (var migration in pending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Execute(connection, transaction, migration.Sql);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, name) VALUES ($version, $name)";
            record.Parameters.AddWithValue("$version", migration.Version);
            record.Parameters.AddWithValue("$name", migration.Name);
            record.ExecuteNonQuery();
        }

        transaction.Commit();
        foreach (var migration in pending)
        {
            StorageLog.MigrationApplied(_logger, Provider, migration.Version, migration.Name);
        }

        StorageLog.SchemaReady(_logger, Provider, _dataSource, SqliteMigrations.All.Count);
        return pending.Count;
    }

    public async Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateId(id);
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, version FROM grain_state WHERE grain_type = $type AND grain_key = $key";
        command.Parameters.AddWithValue("$type", id.Type);
        command.Parameters.AddWithValue("$key", id.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredState(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public Task AppendAsync(StorageKey id, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateAppend(id, journal);
        cancellationToken.ThrowIfCancellationRequested();
        return journal.Count == 0 ? Task.CompletedTask : _writer.EnqueueAsync(new SqliteWriteRequest(id, journal, cancellationToken));
    }

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateId(id);
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT seq, batch_id, payload FROM grain_journal
            WHERE grain_type = $type AND grain_key = $key AND seq > $after ORDER BY seq
            """;
        command.Parameters.AddWithValue("$type", id.Type);
        command.Parameters.AddWithValue("$key", id.Key);
        command.Parameters.AddWithValue("$after", afterSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new JournalEntry(
                reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetFieldValue<byte[]>(2));
        }
    }

    public async Task<IReadOnlyList<StoredGrain>> ListAsync(string grainType, string? afterKey, int limit,
        CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateList(grainType, limit);
        await using var connection = await OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT s.grain_key, s.state, s.version,
                   (SELECT coalesce(max(j.seq), 0) FROM grain_journal j WHERE j.grain_type = s.grain_type AND j.grain_key = s.grain_key)
            FROM grain_state s
            WHERE s.grain_type = $type AND ($after IS NULL OR s.grain_key > $after) ORDER BY s.grain_key LIMIT $limit
            """;
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$after", (object?)afterKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var grains = new List<StoredGrain>();
        while (await reader.ReadAsync(cancellationToken))
        {
            grains.Add(new StoredGrain(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return grains;
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReadAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM schema_migrations";
            return await command.ExecuteScalarAsync(cancellationToken) is long;
        }
        catch (SqliteException ex)
        {
            StorageLog.PingFailed(_logger, ex, Provider);
            return false;
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <summary>
    /// For containers disposed synchronously (a service provider refuses to dispose an IAsyncDisposable-only
    /// singleton synchronously). Waits for queued writes to commit; there is no synchronization context to deadlock on.
    /// </summary>
    public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void CreateDirectoryOf(string dataSource)
    {
        // ":memory:" and URI file names are left to SQLite; a plain path gets its directory on first start.
        if (dataSource.Length == 0 || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
