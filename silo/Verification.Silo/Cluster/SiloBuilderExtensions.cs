using Orleans.Configuration;
using Verification.Silo.Grains;
using Verification.Silo.Storage;

namespace Verification.Silo.Cluster;

/// <summary>The Orleans side of the silo: clustering, endpoints, grain state storage, grain collection.</summary>
internal static class SiloBuilderExtensions
{
    public const string PostgresInvariant = "Npgsql";
    public const string SqliteInvariant = "System.Data.SQLite";

    public static ISiloBuilder ConfigureVerificationCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var settings = ClusterSettings.Read(configuration);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primarySiloEndpoint: null, serviceId: settings.Id,
            clusterId: settings.Id);
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        silo.AddAdoNetGrainStorage(StoredGrain<object>.StorageName, o =>
        {
            // Our schema and OrleansQuery rows (Storage/Sql) in the same database as the journal; for SQLite Orleans maps
            // the System.Data.SQLite invariant to Microsoft.Data.Sqlite.
            o.Invariant = storage.IsPostgres ? PostgresInvariant : SqliteInvariant;
            o.ConnectionString = storage.ConnectionString;
            o.GrainStorageSerializer = new ContractJsonStorageSerializer();
        });
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromSeconds(settings.IdleTimeoutSeconds));
        return silo;
    }
}
