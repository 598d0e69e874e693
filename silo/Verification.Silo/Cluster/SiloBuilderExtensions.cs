using System.Net;
using Orleans.Configuration;
using Verification.Silo.Grains;
using Verification.Silo.Hosting;
using Verification.Silo.Storage;

namespace Verification.Silo.Cluster;

/// <summary>The Orleans side of the silo: clustering, endpoints, grain state storage, reminders, grain collection.</summary>
internal static class SiloBuilderExtensions
{
    public const string PostgresInvariant = "Npgsql";
    public const string SqliteInvariant = "System.Data.SQLite";

    public static ISiloBuilder ConfigureVerificationCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var settings = ClusterSettings.Read(configuration);
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        if (storage.IsPostgres)
        {
            // Membership in the same database (our tables and OrleansQuery rows, Storage/Sql/Postgres/0003); a silo
            // listens on its advertised address, or on every address when that is not loopback (containers).
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = storage.EffectiveConnectionString;
            });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.Id;
                o.ServiceId = settings.Id;
            });
            silo.ConfigureEndpoints(settings.AdvertisedIp, settings.SiloPort, settings.GatewayPort,
                listenOnAnyHostAddress: !IPAddress.IsLoopback(settings.AdvertisedIp));
            if (settings.FastFailover)
            {
                silo.Configure<ClusterMembershipOptions>(UseFastFailover);
            }
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primarySiloEndpoint: null, serviceId: settings.Id,
                clusterId: settings.Id);
        }

        silo.AddAdoNetGrainStorage(StoredGrain<object>.StorageName, o =>
        {
            // Our schema and OrleansQuery rows (Storage/Sql) in the same database as the journal; for SQLite Orleans maps
            // the System.Data.SQLite invariant to Microsoft.Data.Sqlite.
            o.Invariant = storage.IsPostgres ? PostgresInvariant : SqliteInvariant;
            o.ConnectionString = storage.EffectiveConnectionString;
            o.GrainStorageSerializer = new ContractJsonStorageSerializer();
        });
        // Durable reminders (the verdict clock, VerdictClock.cs) in the same database: our table and OrleansQuery rows,
        // Storage/Sql/Sqlite/0003 and Storage/Sql/Postgres/0004.
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = storage.IsPostgres ? PostgresInvariant : SqliteInvariant;
            o.ConnectionString = storage.EffectiveConnectionString;
        });
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromSeconds(settings.IdleTimeoutSeconds));
        silo.AddOperatorDashboard(configuration);
        return silo;
    }

    /// <summary>
    /// Cluster:FastFailover: a silo that stops answering is voted dead after two missed one-second probes, instead of
    /// three missed five-second probes, and the other silos see the vote within seconds (README, "Configuration").
    /// </summary>
    private static void UseFastFailover(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumMissedTableIAmAliveLimit = 2;
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
    }
}
