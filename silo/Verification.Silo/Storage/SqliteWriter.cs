using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Storage;

/// <summary>
/// The single writer of a SQLite database's journal (grain state is written by Orleans' ADO.NET storage on connections
/// of its own). SQLite admits one writer at a time, so instead of letting appends contend for the write lock, every
/// append is queued here and one loop applies them on one
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
    private readonly ILogger _logger;
    private readonly Task _loop;
    private SqliteConnection? _connection;
    private SqliteCommand? _insertJournal;

    public SqliteWriter(string connectionString, ILogger logger)
    {
        _connectionString = connectionString;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a request; the task completes after its transaction committed (or with the reason it did not).</summary>
    public Task EnqueueAsync(SqliteWriteRequest request)
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
            _insertJournal!.Transaction = transaction;
            for (var i = 0; i < group.Count; i++)
            {
                outcomes[i] = Apply(transaction, group[i]);
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
            var (error, canceled) = outcomes[i];
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
                completion.TrySetResult();
            }
        }
    }

    private Outcome Apply(SqliteTransaction transaction, SqliteWriteRequest request)
    {
        // A request whose caller gave up before it reached the database is not applied; once applied it is
        // reported as it is, so that a caller never believes a committed write failed.
        if (request.CancellationToken.IsCancellationRequested)
        {
            return new Outcome(null, Canceled: true);
        }

        transaction.Save(Savepoint);
        try
        {
            SetGrain(_insertJournal!, request.Id);
            foreach (var entry in request.Journal)
            {
                _insertJournal!.Parameters["$seq"].Value = entry.Sequence;
                _insertJournal.Parameters["$batch"].Value = (object?)entry.BatchId ?? DBNull.Value;
                _insertJournal.Parameters["$payload"].Value = GrainStorageArguments.ToArray(entry.Payload);
                _insertJournal.ExecuteNonQuery();
            }

            transaction.Release(Savepoint);
            return new Outcome(null, Canceled: false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            // Constraint violations abort only their statement; rolling back to the savepoint undoes the
            // request's earlier statements and keeps the rest of the group.
            transaction.Rollback(Savepoint);
            transaction.Release(Savepoint);
            StorageLog.WriteConflict(_logger, request.Id.ToString(), request.Journal[0].Sequence);
            return new Outcome(GrainStorageArguments.JournalKeyTaken(request.Id, ex), Canceled: false);
        }
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
        _insertJournal = Prepare(connection, """
            INSERT INTO grain_journal (grain_type, grain_key, seq, batch_id, payload) VALUES ($type, $key, $seq, $batch, $payload)
            """, "$type", "$key", "$seq", "$batch", "$payload");
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
        _insertJournal?.Dispose();
        _insertJournal = null;
        _connection?.Dispose();
        _connection = null;
    }

    private readonly record struct Outcome(Exception? Error, bool Canceled);
}

/// <summary>One queued append of journal entries. Completion runs continuations asynchronously so that callers never run on the writer loop.</summary>
internal sealed class SqliteWriteRequest(StorageKey id, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
{
    public StorageKey Id { get; } = id;

    public IReadOnlyList<JournalEntry> Journal { get; } = journal;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
