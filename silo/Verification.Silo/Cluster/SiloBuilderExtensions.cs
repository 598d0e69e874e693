using Orleans.Configuration;

namespace Verification.Silo.Cluster;

/// <summary>The Orleans side of the silo: clustering, endpoints, grain collection.</summary>
internal static class SiloBuilderExtensions
{
    public static ISiloBuilder ConfigureVerificationCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var settings = ClusterSettings.Read(configuration);
        silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primarySiloEndpoint: null, serviceId: settings.Id,
            clusterId: settings.Id);
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromSeconds(settings.IdleTimeoutSeconds));
        return silo;
    }
}
