using Npgsql;
using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

public sealed class StorageOptionsTests
{
    [Fact]
    public void EffectiveConnectionString_Postgres_AddsNoResetOnCloseAndKeepsTheRest()
    {
        var sut = new StorageOptions { Provider = "postgres", ConnectionString = "Host=db;Port=5433;Database=verification;Username=v;Password=p;Maximum Pool Size=40" };

        var effective = new NpgsqlConnectionStringBuilder(sut.EffectiveConnectionString);

        Assert.True(effective.NoResetOnClose);
        Assert.Equal(("db", 5433, "verification", "v", "p", 40),
            (effective.Host, effective.Port, effective.Database, effective.Username, effective.Password, effective.MaxPoolSize));
    }

    [Theory]
    [InlineData("Host=db;Database=verification;No Reset On Close=false")]
    [InlineData("Host=db;Database=verification;noresetonclose=False")]
    public void EffectiveConnectionString_PostgresNamingTheSetting_Unchanged(string connectionString)
    {
        var sut = new StorageOptions { Provider = "postgres", ConnectionString = connectionString };

        Assert.Equal(connectionString, sut.EffectiveConnectionString);
    }

    [Fact]
    public void EffectiveConnectionString_Sqlite_Unchanged()
    {
        var sut = new StorageOptions { ConnectionString = "Data Source=data/x.db" };

        Assert.Equal("Data Source=data/x.db", sut.EffectiveConnectionString);
    }
}
