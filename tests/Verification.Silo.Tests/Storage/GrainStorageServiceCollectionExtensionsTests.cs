using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

using Verification.Silo.Storage;

namespace Verification.Silo.Tests.Storage;

public sealed class GrainStorageServiceCollectionExtensionsTests(SqliteDatabaseFixture database) : IClassFixture<SqliteDatabaseFixture>
{
    [Fact]
    public async Task AddGrainStorage_DefaultProvider_OneSqliteSingletonServesStorageAndMigrator()
    {
        await using var services = Services(new() { ["Storage:ConnectionString"] = database.CreateEmptyDatabase() }).BuildServiceProvider();

        var sut = services.GetRequiredService<IGrainStorage>();

        Assert.IsType<SqliteGrainStorage>(sut);
        Assert.Same(sut, services.GetRequiredService<IGrainStorage>());
        Assert.Same(sut, services.GetRequiredService<IGrainStorageMigrator>());
    }

    [Fact]
    public async Task AddGrainStorage_ContainerDisposedSynchronously_KeepsWhatWasAppended()
    {
        var connectionString = database.CreateEmptyDatabase();
        var id = new StorageKey("deployment", "d1");
        var services = Services(new() { ["Storage:ConnectionString"] = connectionString }).BuildServiceProvider();
        await services.GetRequiredService<IGrainStorageMigrator>().MigrateAsync(CancellationToken.None);
        var append = services.GetRequiredService<IGrainStorage>().AppendAsync(id, [new JournalEntry(1, "b1", new byte[] { 1 })], CancellationToken.None);

        services.Dispose();

        await append;
        await using var reopened = Services(new() { ["Storage:ConnectionString"] = connectionString }).BuildServiceProvider();
        var sut = reopened.GetRequiredService<IGrainStorage>();
        var entries = new List<(long, string?)>();
        await foreach (var entry in sut.ReadJournalAsync(id, 0, CancellationToken.None))
        {
            entries.Add((entry.Sequence, entry.BatchId));
        }

        Assert.Equal([(1L, "b1")], entries);
    }

    [Fact]
    public async Task AddGrainStorage_PostgresProvider_ResolvesPostgresStorage()
    {
        await using var services = Services(new()
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:ConnectionString"] = "Host=127.0.0.1;Port=1;Database=verification",
        }).BuildServiceProvider();

        var sut = services.GetRequiredService<IGrainStorage>();

        Assert.IsType<PostgresGrainStorage>(sut);
        Assert.Same(sut, services.GetRequiredService<IGrainStorageMigrator>());
    }

    [Fact]
    public async Task AddGrainStorage_HostStart_MigratesSoStorageIsReady()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = database.CreateEmptyDatabase(),
        });
        builder.Services.AddGrainStorage(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync();
        var sut = host.Services.GetRequiredService<IGrainStorage>();

        Assert.True(await sut.PingAsync(CancellationToken.None));
        await host.StopAsync();
    }

    [Fact]
    public async Task AddGrainStorage_UnknownProvider_HostStartFailsWithTheReason()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Provider"] = "oracle" });
        builder.Services.AddGrainStorage(builder.Configuration);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("Storage:Provider 'oracle' is not supported; use 'sqlite' (embedded, default) or 'postgres'.", error.Message);
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGrainStorage(configuration);
        return services;
    }
}
