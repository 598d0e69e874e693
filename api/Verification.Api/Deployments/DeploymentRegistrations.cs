using System.Collections.Concurrent;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// This silo's memory of what ingestion needs to know about a deployment before writing: its service (access check),
/// its metric definitions (validation) and whether it was completed (409). The service and the definitions never change
/// after registration (a registration repeated with any difference is a conflict, and deployments are never deleted),
/// and a completion is final, so none of these can go stale — except a deployment remembered as still verifying that has
/// been completed since (through another silo, or through this one). Ingestion therefore lets the deployment's grain
/// refuse a completed deployment itself (<see cref="IDeploymentGrain.RecordAsync"/> does, before it writes anything) and
/// calls <see cref="Forget"/> when it did, so the next request learns the completion from the grain.
/// Without this memory every request called <see cref="IDeploymentGrain.GetAsync"/> before
/// <see cref="IDeploymentGrain.RecordAsync"/>: a second grain call, in a cluster a second possible network hop.
/// Unknown deployments are not remembered (they may be registered through another silo at any moment). At most
/// <see cref="MaxEntries"/> deployments are remembered; past that the memory starts afresh (a look-up each, as without it).
/// </summary>
public sealed class DeploymentRegistrations(IGrainFactory grains)
{
    /// <summary>Most deployments remembered at once.</summary>
    public const int MaxEntries = 16_384;

    private readonly ConcurrentDictionary<string, RegisteredDeployment> _known = new(StringComparer.Ordinal);

    /// <summary>Deployments remembered now.</summary>
    public int Count => _known.Count;

    /// <summary>
    /// What is known of deployment <paramref name="id"/>, from memory when seen before, else from its grain; null when it
    /// is not registered. With <paramref name="fresh"/> the grain is asked anyway unless the deployment is known to be
    /// completed (the status of one still verifying may have changed).
    /// </summary>
    public async Task<RegisteredDeployment?> GetAsync(string id, bool fresh, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(id, out var known) && (!fresh || known.Completed))
        {
            return known;
        }

        var deployment = await grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken).ConfigureAwait(false);
        if (deployment is null)
        {
            return null;
        }

        var registered = new RegisteredDeployment(deployment.Id, deployment.Service, deployment.Metrics, deployment.Status, deployment.FinishedAt);
        if (_known.Count >= MaxEntries)
        {
            _known.Clear();
        }

        _known[id] = registered;
        return registered;
    }

    /// <summary>Forgets deployment <paramref name="id"/>: its grain reported a status newer than the one remembered.</summary>
    public void Forget(string id) => _known.TryRemove(id, out _);
}

/// <summary>The parts of a registered deployment that ingestion checks before writing (<see cref="DeploymentRegistrations"/>).</summary>
/// <param name="Status">The status when it was read: final once completed, possibly stale while verifying.</param>
public sealed record RegisteredDeployment(
    string Id, string Service, IReadOnlyList<MetricDefinition> Metrics, DeploymentStatus Status, DateTimeOffset? FinishedAt)
{
    /// <summary>True once the deployment was completed: that never changes again.</summary>
    public bool Completed => Status != DeploymentStatus.Verifying;
}
