using Verification.Silo.Storage.Sql;

namespace Verification.Silo.Storage.Migrations;

/// <summary>
/// The PostgreSQL schema, one script per version (the same tables and constraints as <see cref="SqliteMigrations"/>, plus the cluster membership of version 3, which SQLite, one silo on localhost clustering, does not have; reminders are version 4 on both, outbound webhook deliveries 5).
/// Keys are COLLATE "C" so that ordering (and paging by key) is byte-wise whatever the database locale is,
/// which is also SQLite's BINARY order.
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "0001_initial", """
            CREATE TABLE grain_state (
                grain_type text COLLATE "C" NOT NULL,
                grain_key  text COLLATE "C" NOT NULL,
                version    bigint NOT NULL CHECK (version > 0),
                state      text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (grain_type, grain_key)
            );

            CREATE TABLE grain_journal (
                grain_type text COLLATE "C" NOT NULL,
                grain_key  text COLLATE "C" NOT NULL,
                seq        bigint NOT NULL,
                batch_id   text COLLATE "C" NULL,
                payload    bytea NOT NULL,
                PRIMARY KEY (grain_type, grain_key, seq),
                FOREIGN KEY (grain_type, grain_key) REFERENCES grain_state (grain_type, grain_key) ON DELETE CASCADE
            );

            -- Payloads are packed binary samples that do not compress: skip the futile TOAST compression attempt.
            ALTER TABLE grain_journal ALTER COLUMN payload SET STORAGE EXTERNAL;

            CREATE UNIQUE INDEX ux_grain_journal_batch_id ON grain_journal (grain_type, grain_key, batch_id)
                WHERE batch_id IS NOT NULL;
            """),
        new(2, "0002_orleans_persistence", EmbeddedSql.Read("Postgres/0002_orleans_persistence.sql")),
        new(3, "0003_orleans_clustering", EmbeddedSql.Read("Postgres/0003_orleans_clustering.sql")),
        new(4, "0004_orleans_reminders", EmbeddedSql.Read("Postgres/0004_orleans_reminders.sql")),
        new(5, "0005_webhook_delivery", """
            -- Outbound webhooks (issue 10): one row per event and subscription; times in Unix milliseconds. A row is due while
            -- next_attempt_at is set and reached; it is null once DELIVERED or FAILED.
            CREATE TABLE webhook_delivery (
                webhook_id       text COLLATE "C" NOT NULL,
                event_id         text COLLATE "C" NOT NULL,
                event_type       text COLLATE "C" NOT NULL,
                subject          text COLLATE "C" NOT NULL,
                body             text COLLATE "C" NOT NULL,
                status           text COLLATE "C" NOT NULL,
                attempts         integer NOT NULL,
                created_at       bigint NOT NULL,
                next_attempt_at  bigint NULL,
                last_attempt_at  bigint NULL,
                last_status_code integer NULL,
                last_error       text COLLATE "C" NULL,
                delivered_at     bigint NULL,
                PRIMARY KEY (webhook_id, event_id)
            );
            CREATE INDEX ix_webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
            CREATE INDEX ix_webhook_delivery_created ON webhook_delivery (webhook_id, created_at);
            """),
    ];
}
