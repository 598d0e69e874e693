using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>
/// Pipeline runs and release policies straight from storage, like <see cref="ServiceDirectory"/>: every acknowledged
/// run is durable before it is answered, so storage is as fresh as any activation.
/// </summary>
internal sealed class DeliveryDirectory(IGrainStorage storage) : IDeliveryDirectory
{
    public async Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string? service, CancellationToken cancellationToken)
    {
        var runs = new List<PipelineRun>();
        if (service is not null)
        {
            await foreach (var run in ReadRunsAsync(service, cancellationToken).ConfigureAwait(false))
            {
                runs.Add(run);
            }

            return runs;
        }

        await foreach (var stored in storage.ListAllAsync(PipelineGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var run in ReadRunsAsync(stored.Key, cancellationToken).ConfigureAwait(false))
            {
                runs.Add(run);
            }
        }

        return runs;
    }

    /// <summary>The runs in a pipeline grain's journal, in the order they were accepted.</summary>
    private async IAsyncEnumerable<PipelineRun> ReadRunsAsync(string service,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in storage.ReadJournalAsync(new StorageKey(PipelineGrain.TypeName, service), 0, cancellationToken).ConfigureAwait(false))
        {
            yield return JsonSerializer.Deserialize<PipelineRun>(entry.Payload.Span, ContractJson.Options)!;
        }
    }

    public async Task<IReadOnlyDictionary<string, ReleasePolicy>> ListPoliciesAsync(CancellationToken cancellationToken)
    {
        var policies = new Dictionary<string, ReleasePolicy>(StringComparer.Ordinal);
        await foreach (var stored in storage.ListAllAsync(ServiceGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            policies[stored.Key] = JsonSerializer.Deserialize<ServiceState>(stored.Json, ContractJson.Options)!.Policy;
        }

        return policies;
    }
}
