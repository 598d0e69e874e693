using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Verification.Silo.Storage;

/// <summary>
/// Rejects a storage configuration at start with a message naming the setting, instead of failing
/// later on the first grain call (CONVENTIONS.md: options validated on start).
/// </summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsSqlite && !options.IsPostgres)
        {
            return ValidateOptionsResult.Fail(
                $"Storage:Provider '{options.Provider}' is not supported; use '{StorageOptions.SqliteProvider}' " +
                $"(embedded, default) or '{StorageOptions.PostgresProvider}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"Storage:ConnectionString is missing for provider '{options.Provider}'.");
        }

        // The default points at the embedded file; keeping it while switching to PostgreSQL is a forgotten setting.
        if (options.IsPostgres && options.ConnectionString == StorageOptions.DefaultConnectionString)
        {
            return ValidateOptionsResult.Fail(
                "Storage:ConnectionString must be set to a PostgreSQL connection string (e.g. " +
                "'Host=localhost;Database=verification;Username=verification') when Storage:Provider is 'postgres'.");
        }

        try
        {
            if (options.IsPostgres)
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            else
            {
                var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    return ValidateOptionsResult.Fail("Storage:ConnectionString has no 'Data Source' (the SQLite file path).");
                }
            }
        }
        catch (ArgumentException ex)
        {
            // The message of the builder names the bad keyword; the connection string itself may hold a password.
            return ValidateOptionsResult.Fail($"Storage:ConnectionString is not valid for provider '{options.Provider}': {ex.Message}");
        }

        return ValidateOptionsResult.Success;
    }
}
