using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// One grain per analysis template (keyed by its name): the validated template as its state, in the same storage as every
/// grain (Orleans' ADO.NET provider running our SQL, SQLite or PostgreSQL). A delete writes the empty state.
/// </summary>
internal sealed class TemplateGrain(TimeProvider time, SiloMetrics metrics, IGrainStorage journal, IPersistentStateFactory states)
    : StoredGrain<AnalysisTemplate>(states, journal, metrics, TypeName), ITemplateGrain
{
    public const string TypeName = "template";

    public async Task<PutTemplateResult> PutAsync(TemplateInput input, CancellationToken cancellationToken)
    {
        var template = DeploymentValidation.NormalizeTemplate(Key, input, time.GetUtcNow());
        var created = State is null;
        await WriteStateAsync(template, cancellationToken).ConfigureAwait(true);
        return new PutTemplateResult(template, created);
    }

    public Task<AnalysisTemplate?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(State);

    public Task<bool> DeleteAsync(CancellationToken cancellationToken) => DeleteStateAsync(cancellationToken);
}
