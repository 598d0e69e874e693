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
        new(3, "0003_orleans_reminders", EmbeddedSql.Read("Sqlite/0003_orleans_reminders.sql")),
    ];
}
