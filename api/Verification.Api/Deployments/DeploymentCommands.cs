using Verification.Api.Access;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// Register, read and complete a deployment for the current caller (HTTP and GraphQL alike): the deployment's service
/// must be in the caller's list (<see cref="CallerContext"/>), and changes go to the audit trail.
/// </summary>
public sealed class DeploymentCommands(IGrainFactory grains, AuditTrail audit)
{
    public async Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        DeploymentValidation.Identifier("id", input.Id);
        if (input.Service is { } service)
        {
            CallerContext.Current.DemandService(service);
        }

        var result = await grains.GetGrain<IDeploymentGrain>(input.Id).RegisterAsync(input, cancellationToken).ConfigureAwait(false);
        if (result.Created)
        {
            await audit.RecordAsync("deployment.register", result.Deployment.Id, result.Deployment.Service, result.Deployment.Version, cancellationToken)
                .ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// The deployment, null when unknown; <see cref="ForbiddenException"/> when its service is outside the caller's list, and
    /// (the same refusal) when it is unknown to a caller limited to services (<see cref="Caller.DemandDeployment"/>).
    /// </summary>
    public async Task<Deployment?> GetAsync(string id, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        var deployment = await grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken).ConfigureAwait(false);
        CallerContext.Current.DemandDeployment(deployment);
        return deployment;
    }

    public async Task<Deployment> CompleteAsync(string id, DeploymentStatus status, CancellationToken cancellationToken)
    {
        await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var deployment = await grains.GetGrain<IDeploymentGrain>(id).CompleteAsync(status, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync("deployment.complete", deployment.Id, deployment.Service, deployment.Status.ToString(), cancellationToken)
            .ConfigureAwait(false);
        return deployment;
    }
}
