using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

using Verification.Silo.Storage.Migrations;

namespace Verification.Silo.Storage;

/// <summary>
/// Grain storage on PostgreSQL, for several silo processes over one database. Every write is one statement
/// (state and journal together): one round trip, one implicit transaction. The version check is done by the
/// row itself (<c>UPDATE … WHERE version = expected</c>, or an insert that finds the key taken), so two
/// processes racing on a grain serialise on its row lock and the loser sees zero rows: a conflict, never a
/// lost update.
/// </summary>
internal sealed class PostgresGrainStorage : IGrainStorage, IGrainStorageMigrator, IAsyncDisposable, IDisposable
{
    private const string Provider = "postgres";

    /// <summary>Serialises migrations across processes (pg_advisory_xact_lock key; ASCII "Verifica").</summary>
    private const long MigrationLockKey = 0x5665726966696361;

    // Any number of entries in one statement (atomic, one round trip): arrays unnested server-side, one plan whatever the count.
    private const string AppendSql = """
        INSERT INTO grain_journal (grain_type, grain_key, seq, batch_id, payload)
        SELECT @type, @key, e.seq, e.batch_id, e.payload FROM unnest(@seqs, @batch_ids, @payloads) AS e (seq, batch_id, payload)
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresGrainStorage> _logger;
    private readonly string _location;

    public PostgresGrainStorage(string connectionString, ILogger<PostgresGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _logger = logger;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Only where, never who: the connection string may carry a password.
        var settings = builder.ConnectionStringBuilder;
        _location = $"{settings.Host}:{settings.Port}/{settings.Database}";
        _dataSource = builder.Build();
    }

    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two silo processes starting at once: the second waits here until the first committed, then finds
        // nothing pending. The lock is released with the transaction.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    bigint PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken);
        var applied = new List<long>();
        await using (var select = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        var pending = SchemaMigrationPlan.Pending(PostgresMigrations.All, applied);
        foreach (var migration in pending)
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", (long)migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var migration in pending)
        {
            StorageLog.MigrationApplied(_logger, Provider, migration.Version, migration.Name);
        }

        StorageLog.SchemaReady(_logger, Provider, _location, PostgresMigrations.All.Count);
        return pending.Count;
    }

    public async Task<StoredState?> ReadAsync(StorageKey id, CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateId(id);
        await using var command = _dataSource.CreateCommand(
            "SELECT state, version FROM grain_state WHERE grain_type = @type AND grain_key = @key");
        AddGrain(command.Parameters, id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new StoredState(reader.GetString(0), reader.GetInt64(1)) : null;
    }

    public async Task AppendAsync(StorageKey id, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateAppend(id, journal);
        if (journal.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(AppendSql);
        AddGrain(command.Parameters, id);
        AddJournal(command.Parameters, journal);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            StorageLog.WriteConflict(_logger, id.ToString(), journal[0].Sequence);
            throw GrainStorageArguments.JournalKeyTaken(id, ex);
        }
    }

    public async IAsyncEnumerable<JournalEntry> ReadJournalAsync(StorageKey id, long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GrainStorageArguments.ValidateId(id);
        await using var command = _dataSource.CreateCommand("""
            SELECT seq, batch_id, payload FROM grain_journal
            WHERE grain_type = @type AND grain_key = @key AND seq > @after ORDER BY seq
            """);
        AddGrain(command.Parameters, id);
        command.Parameters.AddWithValue("after", afterSequence);
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
        await using var command = _dataSource.CreateCommand($"""
            SELECT s.grain_key, s.state, s.version,
                   (SELECT coalesce(max(j.seq), 0) FROM grain_journal j WHERE j.grain_type = s.grain_type AND j.grain_key = s.grain_key)
            FROM grain_state s
            WHERE s.grain_type = @type{(afterKey is null ? "" : " AND s.grain_key > @after")} ORDER BY s.grain_key LIMIT @limit
            """);
        command.Parameters.AddWithValue("type", grainType);
        command.Parameters.AddWithValue("limit", limit);
        if (afterKey is not null)
        {
            command.Parameters.AddWithValue("after", afterKey);
        }

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
            await using var command = _dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
            return await command.ExecuteScalarAsync(cancellationToken) is long;
        }
        catch (NpgsqlException ex)
        {
            StorageLog.PingFailed(_logger, ex, Provider);
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    private static void AddJournal(NpgsqlParameterCollection parameters, IReadOnlyList<JournalEntry> journal)
    {
        var sequences = new long[journal.Count];
        var batchIds = new string?[journal.Count];
        var payloads = new byte[journal.Count][];
        for (var i = 0; i < journal.Count; i++)
        {
            sequences[i] = journal[i].Sequence;
            batchIds[i] = journal[i].BatchId;
            payloads[i] = GrainStorageArguments.ToArray(journal[i].Payload);
        }

        parameters.Add(new NpgsqlParameter<long[]>("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = sequences });
        parameters.Add(new NpgsqlParameter<string?[]>("batch_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = batchIds });
        parameters.Add(new NpgsqlParameter<byte[][]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = payloads });
    }

    private static void AddGrain(NpgsqlParameterCollection parameters, StorageKey id)
    {
        parameters.AddWithValue("type", id.Type);
        parameters.AddWithValue("key", id.Key);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
