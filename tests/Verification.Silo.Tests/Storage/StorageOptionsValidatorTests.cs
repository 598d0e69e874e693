using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

public sealed class StorageOptionsValidatorTests
{
    private readonly StorageOptionsValidator _sut = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = _sut.Validate(null, new StorageOptions());

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("SQLite", "Data Source=x.db")]
    [InlineData("Postgres", "Host=db;Database=verification")]
    public void Validate_ProviderInAnyCase_Succeeds(string provider, string connectionString)
    {
        var result = _sut.Validate(null, new StorageOptions { Provider = provider, ConnectionString = connectionString });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_UnknownProvider_FailsNamingTheProviderAndTheChoices()
    {
        var result = _sut.Validate(null, new StorageOptions { Provider = "mysql" });

        Assert.Equal("Storage:Provider 'mysql' is not supported; use 'sqlite' (embedded, default) or 'postgres'.", result.FailureMessage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_MissingConnectionString_FailsNamingTheSetting(string connectionString)
    {
        var result = _sut.Validate(null, new StorageOptions { ConnectionString = connectionString });

        Assert.Equal("Storage:ConnectionString is missing for provider 'sqlite'.", result.FailureMessage);
    }

    [Fact]
    public void Validate_PostgresWithTheSqliteDefault_FailsAskingForAPostgresConnectionString()
    {
        var result = _sut.Validate(null, new StorageOptions { Provider = "postgres" });

        Assert.Equal(
            "Storage:ConnectionString must be set to a PostgreSQL connection string (e.g. " +
            "'Host=localhost;Database=verification;Username=verification') when Storage:Provider is 'postgres'.",
            result.FailureMessage);
    }

    [Fact]
    public void Validate_UnknownKeyword_FailsNamingTheProvider()
    {
        var result = _sut.Validate(null, new StorageOptions { Provider = "postgres", ConnectionString = "Hots=db" });

        Assert.StartsWith(
            "Storage:ConnectionString is not valid for provider 'postgres': ", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("hots", result.FailureMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Validate_SqliteWithoutDataSource_Fails()
    {
        var result = _sut.Validate(null, new StorageOptions { ConnectionString = "Cache=Shared" });

        Assert.Equal("Storage:ConnectionString has no 'Data Source' (the SQLite file path).", result.FailureMessage);
    }
}
