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

    public bool IsPostgres => string.Equals(Provider?.Trim(), PostgresProvider, StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider?.Trim(), SqliteProvider, StringComparison.OrdinalIgnoreCase);
}
