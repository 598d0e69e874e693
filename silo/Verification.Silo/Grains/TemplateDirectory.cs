using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>Reads templates straight from grain storage (no activation); deleted ones are stored empty and skipped.</summary>
internal sealed class TemplateDirectory(IGrainStorage storage) : ITemplateDirectory
{
    public async Task<IReadOnlyList<AnalysisTemplate>> ListAsync(CancellationToken cancellationToken)
    {
        var templates = new List<AnalysisTemplate>();
        await foreach (var stored in storage.ListAllAsync(TemplateGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            if (JsonSerializer.Deserialize<AnalysisTemplate?>(stored.Json, ContractJson.Options) is { } template)
            {
                templates.Add(template);
            }
        }

        return templates;
    }
}
