using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Delivery;

/// <summary>GraphQL <c>openIncident</c> / <c>resolveIncident</c> and their HTTP endpoints: validated, then the service grain.</summary>
public sealed class IncidentService(IGrainFactory grains, AuditTrail audit)
{
    /// <summary>Opens an incident of <see cref="OpenIncidentInput.Service"/>; returns it with its assigned id.</summary>
    public Task<Incident> OpenAsync(OpenIncidentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        DeploymentValidation.Text("service", input.Service);
        if (input.Title is not null)
        {
            DeploymentValidation.Text("title", input.Title, MaxTitleLength);
        }

        if (input.DeploymentId is not null)
        {
            DeploymentValidation.Identifier("deploymentId", input.DeploymentId);
        }

        CallerContext.Current.DemandService(input.Service);
        return AuditedAsync("incident.open", grains.GetGrain<IServiceGrain>(input.Service).OpenIncidentAsync(input, cancellationToken), cancellationToken);
    }

    /// <summary>Resolves the incident <paramref name="id"/>; <see cref="NotFoundException"/> when it does not exist.</summary>
    public Task<Incident> ResolveAsync(string id, ResolveIncidentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (service, _) = IncidentIds.Parse(id);
        if (input.FixedByDeploymentId is not null)
        {
            DeploymentValidation.Identifier("fixedByDeploymentId", input.FixedByDeploymentId);
        }

        CallerContext.Current.DemandService(service);
        return AuditedAsync("incident.resolve", grains.GetGrain<IServiceGrain>(service).ResolveIncidentAsync(id, input, cancellationToken), cancellationToken);
    }

    private async Task<Incident> AuditedAsync(string action, Task<Incident> change, CancellationToken cancellationToken)
    {
        var incident = await change.ConfigureAwait(false);
        await audit.RecordAsync(action, incident.Id, incident.Service, incident.Title, cancellationToken).ConfigureAwait(false);
        return incident;
    }

    public const int MaxTitleLength = 500;
}
