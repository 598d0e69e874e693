using Verification.Api.Access;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// Store and delete analysis templates for the current caller (HTTP and GraphQL alike): a template reaches every
/// service, so changing one needs a token for every service (<see cref="CallerContext"/>), and changes go to the audit trail.
/// </summary>
public sealed class TemplateCommands(IGrainFactory grains, AuditTrail audit)
{
    public async Task<PutTemplateResult> PutAsync(string name, TemplateInput input, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("name", name);
        CallerContext.Current.DemandEveryService();
        var result = await grains.GetGrain<ITemplateGrain>(name).PutAsync(input, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync("template.put", name, null, null, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>False when there was no template of that name (nothing is audited then).</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("name", name);
        CallerContext.Current.DemandEveryService();
        if (!await grains.GetGrain<ITemplateGrain>(name).DeleteAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await audit.RecordAsync("template.delete", name, null, null, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
