using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Storage;

/// <summary>
/// The single writer of a SQLite database. SQLite admits one writer at a time, so instead of letting
/// callers contend for the write lock, every write is queued here and one loop applies them on one
/// connection. Whatever has queued up while the previous commit was syncing goes into the next
/// transaction together (group commit): one fsync of the WAL then acknowledges many writes, which is
/// what makes synchronous=FULL affordable. Each request runs inside its own savepoint, so a request that
/// conflicts is undone alone and the others of its group still commit.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    /// <summary>Bounds one transaction (≈ 2 MB of journal at 8-KB payloads) so a flood cannot build a huge WAL frame set.</summary>
    private const int MaxGroupSize = 256;

    private const int SqliteConstraint = 19;
    private const string Savepoint = "request";
    private const string Provider = "sqlite";

    private readonly Channel<SqliteWriteRequest> _queue =
        Channel.CreateUnbounded<SqliteWriteRequest>(new UnboundedChannelOptions { SingleReader = true });

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private SqliteConnection? _connection;
    private SqliteCommand? _insertState;
    private SqliteCommand? _updateState;
    private SqliteCommand? _insertJournal;
    private SqliteCommand? _deleteState;
    private SqliteCommand? _stateExists;

    public SqliteWriter(string connectionString, TimeProvider timeProvider, ILogger logger)
    {
        _connectionString = connectionString;
        _timeProvider = timeProvider;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a request; the task completes after its transaction committed (or with the reason it did not).</summary>
    public Task<long> EnqueueAsync(SqliteWriteRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter));
        }

        return request.Completion.Task;
    }

    /// <summary>Stops accepting requests, commits what is queued, and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        CloseConnection();
    }

    /// <summary>Opens a connection with the settings every writer of this database must use.</summary>
    public static SqliteConnection OpenConnection(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            // WAL: readers never block the writer nor see a half-written transaction. synchronous=FULL in WAL
            // mode syncs the log at every commit, so an acknowledged write survives power loss (NORMAL only
            // survives a process crash). busy_timeout: another process (a backup, the CLI) may hold the lock briefly.
            // journal_size_limit: after a checkpoint the WAL file is truncated back to 64 MB if a burst grew it.
            pragma.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA busy_timeout = 5000;
                PRAGMA foreign_keys = ON;
                PRAGMA journal_size_limit = 67108864;
                """;
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task RunAsync()
    {
        var group = new List<SqliteWriteRequest>(MaxGroupSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroupSize && reader.TryRead(out var request))
            {
                group.Add(request);
            }

            CommitGroup(group);
            group.Clear();
        }
    }

    private void CommitGroup(List<SqliteWriteRequest> group)
    {
        var outcomes = new Outcome[group.Count];
        try
        {
            var connection = EnsureOpen();
            using var transaction = connection.BeginTransaction(deferred: false);
            _insertState!.Transaction = transaction;
            _updateState!.Transaction = transaction;
            _insertJournal!.Transaction = transaction;
            _deleteState!.Transaction = transaction;
            _stateExists!.Transaction = transaction;
            var now = _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
            for (var i = 0; i < group.Count; i++)
            {
                outcomes[i] = Apply(transaction, group[i], now);
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            // Anything but a constraint violation (disk full, I/O error, database locked for too long) may have
            // rolled the whole transaction back: nothing of this group is durable. Every kind of failure is caught
            // because an exception escaping here would end the loop and leave all later writes waiting forever.
            // Start over on a fresh connection.
            StorageLog.CommitFailed(_logger, ex, Provider, group.Count);
            CloseConnection();
            foreach (var request in group)
            {
                request.Completion.TrySetException(ex);
            }

            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            var (version, error, canceled) = outcomes[i];
            var completion = group[i].Completion;
            if (canceled)
            {
                completion.TrySetCanceled(group[i].CancellationToken);
            }
            else if (error is not null)
            {
                completion.TrySetException(error);
            }
            else
            {
                completion.TrySetResult(version);
            }
        }
    }

    private Outcome Apply(SqliteTransaction transaction, SqliteWriteRequest request, string now)
    {
        // A request whose caller gave up before it reached the database is not applied; once applied it is
        // reported as it is, so that a caller never believes a committed write failed.
        if (request.CancellationToken.IsCancellationRequested)
        {
            return new Outcome(0, null, Canceled: true);
        }

        transaction.Save(Savepoint);
        try
        {
            var version = request.StateJson is null ? Clear(request) : Write(request, now);
            transaction.Release(Savepoint);
            return new Outcome(version, null, Canceled: false);
        }
        catch (Exception ex) when (ex is GrainStateConflictException
                                       || (ex is SqliteException sqlite && sqlite.SqliteErrorCode == SqliteConstraint))
        {
            // Constraint violations abort only their statement; rolling back to the savepoint undoes the
            // request's earlier statements and keeps the rest of the group.
            transaction.Rollback(Savepoint);
            transaction.Release(Savepoint);
            var conflict = ex as GrainStateConflictException ?? GrainStorageArguments.JournalKeyTaken(request.Id, ex);
            StorageLog.WriteConflict(_logger, request.Id.ToString(), request.ExpectedVersion);
            return new Outcome(0, conflict, Canceled: false);
        }
    }

    private long Write(SqliteWriteRequest request, string now)
    {
        var id = request.Id;
        var newVersion = request.ExpectedVersion + 1;
        if (request.ExpectedVersion == 0)
        {
            // A primary-key violation here means the grain exists: caught as a constraint violation, but it is
            // a version conflict, so it is reported as one.
            SetGrain(_insertState!, id);
            _insertState!.Parameters["$state"].Value = request.StateJson;
            _insertState.Parameters["$now"].Value = now;
            try
            {
                _insertState.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
            {
                throw GrainStorageArguments.StaleVersion(id, 0);
            }
        }
        else
        {
            SetGrain(_updateState!, id);
            _updateState!.Parameters["$state"].Value = request.StateJson;
            _updateState.Parameters["$now"].Value = now;
            _updateState.Parameters["$version"].Value = newVersion;
            _updateState.Parameters["$expected"].Value = request.ExpectedVersion;
            if (_updateState.ExecuteNonQuery() == 0)
            {
                throw GrainStorageArguments.StaleVersion(id, request.ExpectedVersion);
            }
        }

        SetGrain(_insertJournal!, id);
        foreach (var entry in request.Journal)
        {
            _insertJournal!.Parameters["$seq"].Value = entry.Sequence;
            _insertJournal.Parameters["$batch"].Value = (object?)entry.BatchId ?? DBNull.Value;
            _insertJournal.Parameters["$payload"].Value = GrainStorageArguments.ToArray(entry.Payload);
            _insertJournal.ExecuteNonQuery();
        }

        return newVersion;
    }

    private long Clear(SqliteWriteRequest request)
    {
        var id = request.Id;
        if (request.ExpectedVersion == 0)
        {
            // Version 0 means "does not exist": clearing it is a no-op that succeeds only if that is still true.
            SetGrain(_stateExists!, id);
            if (_stateExists!.ExecuteScalar() is not null)
            {
                throw GrainStorageArguments.StaleVersion(id, 0);
            }

            return 0;
        }

        // The journal goes with the state row (ON DELETE CASCADE) in the same statement.
        SetGrain(_deleteState!, id);
        _deleteState!.Parameters["$expected"].Value = request.ExpectedVersion;
        if (_deleteState.ExecuteNonQuery() == 0)
        {
            throw GrainStorageArguments.StaleVersion(id, request.ExpectedVersion);
        }

        return 0;
    }

    private static void SetGrain(SqliteCommand command, StorageKey id)
    {
        command.Parameters["$type"].Value = id.Type;
        command.Parameters["$key"].Value = id.Key;
    }

    private SqliteConnection EnsureOpen()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = OpenConnection(_connectionString);
        _connection = connection;
        _insertState = Prepare(connection, """
            INSERT INTO grain_state (grain_type, grain_key, version, state, updated_at) VALUES ($type, $key, 1, $state, $now)
            """, "$type", "$key", "$state", "$now");
        _updateState = Prepare(connection, """
            UPDATE grain_state SET version = $version, state = $state, updated_at = $now
            WHERE grain_type = $type AND grain_key = $key AND version = $expected
            """, "$type", "$key", "$state", "$now", "$version", "$expected");
        _insertJournal = Prepare(connection, """
            INSERT INTO grain_journal (grain_type, grain_key, seq, batch_id, payload) VALUES ($type, $key, $seq, $batch, $payload)
            """, "$type", "$key", "$seq", "$batch", "$payload");
        _deleteState = Prepare(connection, """
            DELETE FROM grain_state WHERE grain_type = $type AND grain_key = $key AND version = $expected
            """, "$type", "$key", "$expected");
        _stateExists = Prepare(connection, """
            SELECT 1 FROM grain_state WHERE grain_type = $type AND grain_key = $key
            """, "$type", "$key");
        return connection;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter(name, null));
        }

        return command;
    }

    private void CloseConnection()
    {
        foreach (var command in new[] { _insertState, _updateState, _insertJournal, _deleteState, _stateExists })
        {
            command?.Dispose();
        }

        _insertState = _updateState = _insertJournal = _deleteState = _stateExists = null;
        _connection?.Dispose();
        _connection = null;
    }

    private readonly record struct Outcome(long Version, Exception? Error, bool Canceled);
}

/// <summary>
/// One queued write or clear. <see cref="StateJson"/> null means clear. Completion runs continuations
/// asynchronously so that callers never run on the writer loop.
/// </summary>
internal sealed class SqliteWriteRequest(
    StorageKey id, string? stateJson, long expectedVersion, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
{
    public StorageKey Id { get; } = id;

    public string? StateJson { get; } = stateJson;

    public long ExpectedVersion { get; } = expectedVersion;

    public IReadOnlyList<JournalEntry> Journal { get; } = journal;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
