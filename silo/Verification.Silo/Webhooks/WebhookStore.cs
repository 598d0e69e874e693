using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Webhooks;

/// <summary>
/// The webhook outbox table (<c>webhook_delivery</c>, schema: Storage/Migrations): one row per event and subscription,
/// in the same database as the grains, SQLite or PostgreSQL (the SQL is the same for both). Times are Unix milliseconds.
/// A row is due while <c>next_attempt_at</c> is set and reached; a sender claims due rows by moving that time past its
/// attempt (a lease, so another silo does not send them meanwhile) and records the outcome after the attempt.
/// </summary>
internal sealed class WebhookStore(IOptions<StorageOptions> options)
{
    public const string Pending = "PENDING";
    public const string Delivered = "DELIVERED";
    public const string Failed = "FAILED";

    private readonly StorageOptions _options = options.Value;

    /// <summary>Adds the rows not stored yet (an event handed off twice keeps its first row), in one transaction.</summary>
    public async Task AddAsync(IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var d in deliveries)
        {
            await using var command = Command(connection, """
                INSERT INTO webhook_delivery (webhook_id, event_id, event_type, subject, body, status, attempts, created_at, next_attempt_at)
                VALUES (@webhook, @event, @type, @subject, @body, 'PENDING', 0, @created, @created)
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                """);
            command.Transaction = transaction;
            Add(command, "webhook", d.WebhookId);
            Add(command, "event", d.EventId);
            Add(command, "type", d.Type);
            Add(command, "subject", d.Subject);
            Add(command, "body", d.Body);
            Add(command, "created", d.CreatedAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims up to <paramref name="limit"/> rows due at <paramref name="now"/> until <paramref name="leaseUntil"/>.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // The outer time condition makes a row claimed concurrently by another silo (PostgreSQL re-checks it on the
        // updated row) not claimed twice.
        await using var command = Command(connection, """
            UPDATE webhook_delivery SET next_attempt_at = @lease
            WHERE next_attempt_at <= @now AND (webhook_id, event_id) IN (
                SELECT webhook_id, event_id FROM webhook_delivery WHERE next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit)
            RETURNING webhook_id, event_id, event_type, body, attempts, created_at
            """);
        Add(command, "lease", leaseUntil.ToUnixTimeMilliseconds());
        Add(command, "now", now.ToUnixTimeMilliseconds());
        Add(command, "limit", limit);
        var claimed = new List<ClaimedDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            claimed.Add(new ClaimedDelivery(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return claimed;
    }

    /// <summary>
    /// Records one attempt: <paramref name="status"/> DELIVERED (no next attempt), PENDING with <paramref name="next"/>, or
    /// FAILED (given up).
    /// </summary>
    public async Task RecordAsync(ClaimedDelivery delivery, string status, DateTimeOffset at, int? statusCode, string? error,
        DateTimeOffset? next, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            UPDATE webhook_delivery
            SET status = @status, attempts = attempts + 1, last_attempt_at = @at, last_status_code = @code, last_error = @error,
                next_attempt_at = @next, delivered_at = @delivered
            WHERE webhook_id = @webhook AND event_id = @event
            """);
        Add(command, "status", status);
        Add(command, "at", at.ToUnixTimeMilliseconds());
        Add(command, "code", statusCode);
        Add(command, "error", error);
        Add(command, "next", next?.ToUnixTimeMilliseconds());
        Add(command, "delivered", status == Delivered ? at.ToUnixTimeMilliseconds() : null);
        Add(command, "webhook", delivery.WebhookId);
        Add(command, "event", delivery.EventId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes every pending row due now: at the start of the only silo of a SQLite database, no lease is held.</summary>
    public async Task ReleaseLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "UPDATE webhook_delivery SET next_attempt_at = @now WHERE next_attempt_at > @now");
        Add(command, "now", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes up to <paramref name="limit"/> finished rows (DELIVERED or FAILED: no next attempt) of events created before
    /// <paramref name="before"/>, in one statement; returns how many. A PENDING row is never deleted, however old.
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            DELETE FROM webhook_delivery
            WHERE (webhook_id, event_id) IN (
                SELECT webhook_id, event_id FROM webhook_delivery
                WHERE next_attempt_at IS NULL AND status <> 'PENDING' AND created_at < @before LIMIT @limit)
            """);
        Add(command, "before", before.ToUnixTimeMilliseconds());
        Add(command, "limit", limit);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<WebhookDelivery>> ListAsync(string webhookId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            SELECT event_id, event_type, subject, status, attempts, created_at, last_attempt_at, last_status_code, last_error,
                   next_attempt_at, delivered_at
            FROM webhook_delivery WHERE webhook_id = @webhook ORDER BY created_at DESC, event_id LIMIT @limit
            """);
        Add(command, "webhook", webhookId);
        Add(command, "limit", limit);
        var deliveries = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            deliveries.Add(new WebhookDelivery(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                Time(reader, 5)!.Value, Time(reader, 6), reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), Time(reader, 9), Time(reader, 10)));
        }

        return deliveries;
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _options.IsPostgres
            ? new NpgsqlConnection(_options.EffectiveConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder(_options.ConnectionString) { DefaultTimeout = 30 }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>A parameter with its type stated, so that PostgreSQL types a null too.</summary>
    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = value switch
        {
            long => DbType.Int64,
            int => DbType.Int32,
            string => DbType.String,
            _ => name is "code" ? DbType.Int32 : name is "error" or "status" ? DbType.String : DbType.Int64,
        };
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>A delivery to add: one event for one subscription, with the exact body every attempt sends.</summary>
internal sealed record NewDelivery(string WebhookId, string EventId, string Type, string Subject, string Body, DateTimeOffset CreatedAt);

/// <summary>A delivery claimed for an attempt.</summary>
internal sealed record ClaimedDelivery(string WebhookId, string EventId, string Type, string Body, int Attempts, DateTimeOffset CreatedAt);
