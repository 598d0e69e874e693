using Verification.Silo.Storage.Sql;

namespace Verification.Silo.Storage.Migrations;

/// <summary>
/// The SQLite schema, one script per version: version 1 in C#, later versions as embedded .sql files
/// (Storage/Sql); the runner does not care where the text comes from.
/// Types follow SQLite's affinities: INTEGER is a 64-bit signed integer, TEXT compares byte-wise (BINARY),
/// which is the order PostgreSQL gives with COLLATE "C", so paging by key agrees between providers.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "0001_initial", """
            CREATE TABLE grain_state (
                grain_type TEXT NOT NULL,
                grain_key  TEXT NOT NULL,
                version    INTEGER NOT NULL CHECK (version > 0),
                state      TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (grain_type, grain_key)
            );

            -- Rowid table on purpose: WITHOUT ROWID suits small rows, and payloads are blobs of kilobytes.
            CREATE TABLE grain_journal (
                grain_type TEXT NOT NULL,
                grain_key  TEXT NOT NULL,
                seq        INTEGER NOT NULL,
                batch_id   TEXT NULL,
                payload    BLOB NOT NULL,
                PRIMARY KEY (grain_type, grain_key, seq),
                FOREIGN KEY (grain_type, grain_key) REFERENCES grain_state (grain_type, grain_key) ON DELETE CASCADE
            );

            -- Idempotency keys: unique per grain when given (SQLite allows a partial unique index).
            CREATE UNIQUE INDEX ux_grain_journal_batch_id ON grain_journal (grain_type, grain_key, batch_id)
                WHERE batch_id IS NOT NULL;
            """),
        new(2, "0002_orleans_persistence", EmbeddedSql.Read("Sqlite/0002_orleans_persistence.sql")),
        // Version 3 is PostgreSQL's cluster membership, which one SQLite silo does not have: kept empty so that a version
        // means the same script on both providers.
        new(3, "0003_no_cluster_membership", "SELECT 1;"),
        new(4, "0004_orleans_reminders", EmbeddedSql.Read("Sqlite/0004_orleans_reminders.sql")),
        new(5, "0005_webhook_delivery", """
            -- Outbound webhooks (issue 10): one row per event and subscription; times in Unix milliseconds. A row is due while
            -- next_attempt_at is set and reached; it is null once DELIVERED or FAILED.
            CREATE TABLE webhook_delivery (
                webhook_id       TEXT    NOT NULL,
                event_id         TEXT    NOT NULL,
                event_type       TEXT    NOT NULL,
                subject          TEXT    NOT NULL,
                body             TEXT    NOT NULL,
                status           TEXT    NOT NULL,
                attempts         INTEGER NOT NULL,
                created_at       INTEGER NOT NULL,
                next_attempt_at  INTEGER NULL,
                last_attempt_at  INTEGER NULL,
                last_status_code INTEGER NULL,
                last_error       TEXT    NULL,
                delivered_at     INTEGER NULL,
                PRIMARY KEY (webhook_id, event_id)
            );
            CREATE INDEX ix_webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
            CREATE INDEX ix_webhook_delivery_created ON webhook_delivery (webhook_id, created_at);
            """),
    ];
}
