using System.Data.Common;
using Npgsql;

namespace Verification.Silo.Storage;

/// <summary>
/// Where grain state lives (configuration section <c>Storage</c>, see docs/API.md "Process"):
/// the embedded SQLite file by default, or a PostgreSQL database shared by several silo processes.
/// </summary>
internal sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";
    public const string DefaultConnectionString = "Data Source=data/verification.db";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>, case-insensitive.</summary>
    public string Provider { get; set; } = SqliteProvider;

    /// <summary>An ADO.NET connection string for the chosen provider.</summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>
    /// The connection string the silo opens its own connections with (grain state, journal, migrations, membership,
    /// reminders, webhooks): <see cref="ConnectionString"/>, for PostgreSQL with <c>No Reset On Close=true</c> unless it
    /// names that setting itself. Npgsql otherwise sends <c>DISCARD ALL</c> each time a pooled connection is reused, which
    /// PostgreSQL counts as one more transaction; the silo sets no session state (no <c>SET</c>, <c>LISTEN</c>, temporary
    /// tables or session advisory locks: the migration lock is <c>pg_advisory_xact_lock</c>), so there is nothing to reset.
    /// </summary>
    public string EffectiveConnectionString => IsPostgres ? WithoutResetOnClose(ConnectionString) : ConnectionString;

    public bool IsPostgres => string.Equals(Provider?.Trim(), PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider?.Trim(), SqliteProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="connectionString"/> (PostgreSQL) with <c>No Reset On Close=true</c>, unless it sets that itself.</summary>
    internal static string WithoutResetOnClose(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            if (string.Equals(key.Replace(" ", "", StringComparison.Ordinal), nameof(NpgsqlConnectionStringBuilder.NoResetOnClose),
                    StringComparison.OrdinalIgnoreCase))
            {
                return connectionString;
            }
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
    }
}
