using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>
/// Reads deployments straight from grain storage and pages through it by key, filtering in process. Every acknowledged
/// change is durable before it is answered, but a deployment's state row may lag its journal by up to
/// <c>Grains:StateWriteSeconds</c> (<see cref="StateWriteOptions"/>: only counts and evidence, never its status or decision).
/// Such a row is recognised by its journal being ahead of it, and that deployment is asked of its grain, which answers from
/// memory (activating it and replaying its journal if it is not in memory): a listing is as fresh as the grain.
/// </summary>
internal sealed class DeploymentDirectory(IGrainStorage storage, IGrainFactory grains) : IDeploymentDirectory
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
                result.Add(stored.LastSequence >= state.NextSequence
                    ? await grains.GetGrain<IDeploymentGrain>(stored.Key).GetAsync(cancellationToken).ConfigureAwait(false) ?? DeploymentGrain.ToDeployment(state)
                    : DeploymentGrain.ToDeployment(state));
                if (result.Count == first)
                {
                    break;
                }
            }
        }

        return result;
    }
}
