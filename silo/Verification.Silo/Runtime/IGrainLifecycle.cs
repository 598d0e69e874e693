using System.Text.Json;
using Verification.Silo.Storage;

namespace Verification.Silo.Runtime;

/// <summary>What the runtime needs of every grain implementation, whatever its state type.</summary>
internal interface IGrainLifecycle
{
    void Bind(GrainId id, IGrainStorage storage, JsonSerializerOptions json);

    Task OnActivateAsync(CancellationToken cancellationToken);

    Task OnDeactivateAsync(CancellationToken cancellationToken);
}
