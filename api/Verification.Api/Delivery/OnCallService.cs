using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Delivery;

/// <summary>
/// The on-call view (GraphQL <c>service(name) { recentDeployments(first) { … pagesAfter } }</c>, <c>GET
/// /v1/services/{name}/recent-deployments</c>): a service's latest deployments with the pages and incidents that followed
/// each, so "which release caused this page?" is answered by reading down one list.
/// </summary>
public sealed class OnCallService(IDeploymentDirectory deployments, IServiceDirectory services, IDeliveryDirectory history, TimeProvider time)
{
    public const int DefaultFirst = 10;
    public const int MaxFirst = 100;

    /// <summary>The service's deployments, newest start first, at most <paramref name="first"/>.</summary>
    public async Task<IReadOnlyList<Deployment>> RecentAsync(string service, int first, CancellationToken cancellationToken)
    {
        DeploymentValidation.Text("name", service);
        Access.CallerContext.Current.DemandService(service);
        if (first is < 0 or > MaxFirst)
        {
            throw new InputException("first", $"must be between 0 and {MaxFirst}, got {first}");
        }

        var all = new List<Deployment>();
        await foreach (var d in deployments.ListAllAsync(new DeploymentFilter(Service: service), cancellationToken).ConfigureAwait(false))
        {
            all.Add(d);
        }

        return [.. all.OrderByDescending(d => d.StartedAt).ThenByDescending(d => d.Id, StringComparer.Ordinal).Take(first)];
    }

    /// <summary>The pages and incidents that followed <paramref name="deployment"/> (<see cref="PagesAfter"/>), oldest first.</summary>
    public async Task<IReadOnlyList<Incident>> PagesAfterAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Access.CallerContext.Current.DemandService(deployment.Service);
        var incidents = await services.ListIncidentsAsync(deployment.Service, cancellationToken).ConfigureAwait(false);
        var policies = await history.ListPoliciesAsync(cancellationToken).ConfigureAwait(false);
        var window = policies.TryGetValue(deployment.Service, out var policy) ? policy.IncidentWindowMinutes : ReleasePolicy.DefaultIncidentWindowMinutes;
        return PagesAfter(deployment, incidents, TimeSpan.FromMinutes(window), time.GetUtcNow());
    }

    /// <summary>
    /// Incidents attributed to the deployment, and those attributed to none that were opened while it rolled out or
    /// within <paramref name="window"/> (the service's <c>incidentWindowMinutes</c>) after it finished — or after now while
    /// it is still verifying; ordered by opening time.
    /// </summary>
    public static IReadOnlyList<Incident> PagesAfter(Deployment deployment, IReadOnlyList<Incident> incidents, TimeSpan window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(incidents);
        var until = (deployment.FinishedAt ?? now) + window;
        return [.. incidents
            .Where(i => i.Service == deployment.Service
                && (i.DeploymentId == deployment.Id || (i.DeploymentId is null && i.OpenedAt >= deployment.StartedAt && i.OpenedAt <= until)))
            .OrderBy(i => i.OpenedAt)
            .ThenBy(i => i.Id, StringComparer.Ordinal)];
    }
}

/// <summary>One row of <c>GET /v1/services/{name}/recent-deployments</c>.</summary>
public sealed record OnCallDeployment(Deployment Deployment, IReadOnlyList<Incident> PagesAfter);
