using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>
/// Reads services and their incidents straight from grain storage, like <see cref="DeploymentDirectory"/>: every
/// acknowledged change is durable before it is answered, so storage is as fresh as any activation.
/// </summary>
internal sealed class ServiceDirectory(IGrainStorage storage) : IServiceDirectory
{
    public async Task<IReadOnlyList<string>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var stored in storage.ListAllAsync(ServiceGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            names.Add(stored.Key);
        }

        return names;
    }

    public async Task<IReadOnlyList<Incident>> ListIncidentsAsync(string? service, CancellationToken cancellationToken)
    {
        if (service is not null)
        {
            var stored = await storage.ReadAsync(new StorageKey(ServiceGrain.TypeName, service), cancellationToken).ConfigureAwait(false);
            return stored is null ? [] : Incidents(stored.Json);
        }

        var incidents = new List<Incident>();
        await foreach (var stored in storage.ListAllAsync(ServiceGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            incidents.AddRange(Incidents(stored.Json));
        }

        return incidents;
    }

    private static IReadOnlyList<Incident> Incidents(string json) =>
        JsonSerializer.Deserialize<ServiceState>(json, ContractJson.Options)!.Incidents;
}
