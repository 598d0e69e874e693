using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>
/// Reads deployments straight from grain storage: every acknowledged change is durable before it is answered, so
/// storage is as fresh as any activation. Pages through storage by key and filters in process.
/// </summary>
internal sealed class DeploymentDirectory(IGrainStorage storage) : IDeploymentDirectory
{
    public const int MaxFirst = 1000;

    public async Task<IReadOnlyList<Deployment>> ListAsync(DeploymentFilter filter, int first, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (first is < 0 or > MaxFirst)
        {
            throw new InputException("first", $"must be between 0 and {MaxFirst}, got {first}");
        }

        var result = new List<Deployment>(Math.Min(first, GrainStorageListing.PageSize));
        if (first == 0)
        {
            return result;
        }

        await foreach (var stored in storage.ListAllAsync(DeploymentGrain.TypeName, after, cancellationToken).ConfigureAwait(false))
        {
            var state = JsonSerializer.Deserialize<DeploymentState>(stored.Json, ContractJson.Options)!;
            var r = state.Registration;
            if ((filter.Service is null || filter.Service == r.Service)
                && (filter.Environment is null || filter.Environment == r.Environment)
                && (filter.Status is null || filter.Status == state.Status))
            {
                result.Add(DeploymentGrain.ToDeployment(state));
                if (result.Count == first)
                {
                    break;
                }
            }
        }

        return result;
    }
}
