using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>Lists cut to the services the current caller may read (a token limited to services sees only those).</summary>
public static class AccessFilters
{
    /// <summary>
    /// A page of deployments the caller may read: a filter on a service outside its list is <see cref="ForbiddenException"/>;
    /// without a service filter, pages are read until <paramref name="first"/> readable ones are found or the listing ends.
    /// </summary>
    public static async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(
        IDeploymentDirectory directory, DeploymentFilter filter, int first, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(filter);
        var caller = CallerContext.Current;
        if (caller.Services is null)
        {
            return await directory.ListAsync(filter, first, after, cancellationToken).ConfigureAwait(false);
        }

        if (filter.Service is { } service)
        {
            caller.DemandService(service);
            return await directory.ListAsync(filter, first, after, cancellationToken).ConfigureAwait(false);
        }

        var found = new List<Deployment>();
        var pageSize = Math.Max(first, 100);
        while (found.Count < first)
        {
            var page = await directory.ListAsync(filter, pageSize, after, cancellationToken).ConfigureAwait(false);
            found.AddRange(page.Where(d => caller.MayAccess(d.Service)).Take(first - found.Count));
            if (page.Count < pageSize)
            {
                break;
            }

            after = page[^1].Id;
        }

        return found;
    }
}
