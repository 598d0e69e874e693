using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;
using Verification.Silo.Cluster;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// A real Orleans silo in process (localhost clustering on free ports, no HTTP) whose grains store their state through
/// Orleans' ADO.NET storage and their journal in a temporary SQLite database, on a manual clock with an in-process verdict
/// feed; <see cref="Sut"/> is Orleans' grain factory.
/// </summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string? _ownedDirectory;

    private RuntimeFixture(IHost host, string directory, bool owned, ObservingStorage storage, ManualTimeProvider time, InProcessVerdictFeed feed)
    {
        _host = host;
        Directory = directory;
        _ownedDirectory = owned ? directory : null;
        Storage = storage;
        Time = time;
        Feed = feed;
        Sut = host.Services.GetRequiredService<IGrainFactory>();
    }

    /// <summary>Where the database lives; pass it to <see cref="StartAsync"/> of another fixture to restart over the same data.</summary>
    public string Directory { get; }

    /// <summary>The journal store and read side the grains use.</summary>
    public ObservingStorage Storage { get; }

    public ManualTimeProvider Time { get; }

    public InProcessVerdictFeed Feed { get; }

    public IGrainFactory Sut { get; }

    /// <param name="directory">The database directory of an earlier fixture (a restart over the same data); it then stays
    /// there when this fixture is disposed. Null: a new one, deleted with this fixture.</param>
    /// <param name="postgres">A PostgreSQL connection string: storage there instead of SQLite.</param>
    /// <param name="clockSeconds">Verdicts:ClockSeconds; 0 (the default here) turns the verdict clock's reminders and timers
    /// off (and the SLO alert clock's), so that nothing but the test judges on the manual clock.</param>
    /// <param name="stateWriteSeconds">Grains:StateWriteSeconds: how long a deployment's state row may lag its journal.</param>
    public static async Task<RuntimeFixture> StartAsync(string? directory = null, string? postgres = null, int clockSeconds = 0,
        int stateWriteSeconds = StateWriteOptions.DefaultStateWriteSeconds)
    {
        var owned = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("verification-grains-").FullName;
        var time = new ManualTimeProvider();
        var feed = new InProcessVerdictFeed();
        ObservingStorage? observing = null;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = postgres is null ? "sqlite" : "postgres",
            ["Storage:ConnectionString"] = postgres ?? $"Data Source={Path.Combine(directory, "grains.db")}",
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Verdicts:ClockSeconds"] = clockSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Webhooks:SloAlertClockMinutes"] = clockSeconds > 0 ? "1" : "0",
            ["Grains:StateWriteSeconds"] = stateWriteSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var host = InProcessSilo.Build(configuration, services =>
        {
            // No verdict clock sweep, pull service or migration at start (the migration runs below, before Orleans starts).
            services.RemoveAll<IHostedService>();
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
            services.Replace(ServiceDescriptor.Singleton<IVerdictFeed>(feed));
            services.Replace(ServiceDescriptor.Singleton<IGrainStorage>(sp =>
                observing = new ObservingStorage(postgres is null
                    ? sp.GetRequiredService<SqliteGrainStorage>()
                    : sp.GetRequiredService<PostgresGrainStorage>())));
        });
        await host.Services.GetRequiredService<IGrainStorageMigrator>().MigrateAsync(CancellationToken.None);
        _ = host.Services.GetRequiredService<IGrainStorage>();
        await host.StartAsync();
        return new RuntimeFixture(host, directory, owned, observing!, time, feed);
    }

    /// <summary>How often the grain's state was written (its stored version); 0 when never.</summary>
    public async Task<long> WritesAsync(string grainType, string key) =>
        (await Storage.ReadAsync(new StorageKey(grainType, key), CancellationToken.None))?.Version ?? 0;

    /// <summary>The deployment's stored state row, as a reader of the database sees it (not the grain's memory).</summary>
    public async Task<DeploymentState> StoredDeploymentAsync(string id)
    {
        var stored = await Storage.ReadAsync(new StorageKey(DeploymentGrain.TypeName, id), CancellationToken.None);
        return System.Text.Json.JsonSerializer.Deserialize<DeploymentState>(stored!.Json, ContractJson.Options)!;
    }

    /// <summary>Runs SQL on the fixture's SQLite database behind the grains' back.</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Directory, "grains.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Deactivates every activation (as Orleans does with idle ones); returns how many of our grains left memory.</summary>
    public async Task<int> DeactivateAllAsync()
    {
        var metrics = _host.Services.GetRequiredService<SiloMetrics>();
        var before = metrics.ActiveGrains;
        // Asked again until none is left: a grain called in between (the verdict clock, a feed) is not idle at that
        // moment and is skipped by one collection.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (metrics.ActiveGrains > 0 && DateTime.UtcNow < deadline)
        {
            await Sut.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
        }

        return (int)(before - metrics.ActiveGrains);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownedDirectory is not null)
        {
            System.IO.Directory.Delete(_ownedDirectory, recursive: true);
        }
    }
}
