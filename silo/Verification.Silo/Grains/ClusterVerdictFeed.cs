using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The verdict feed of a silo in a cluster: a change published here reaches this silo's subscribers at once (through
/// <see cref="InProcessVerdictFeed"/>) and the other silos' through the deployment's <see cref="IVerdictHubGrain"/>.
/// While this silo has subscribers for a deployment, its one observer is subscribed at that deployment's hub and renewed
/// every <see cref="VerdictHub.RenewalPeriod"/> (a hub re-activated after a silo's death has no observers until then).
/// </summary>
/// <remarks>
/// Subscribe-before-read holds across silos: the hub subscription is asynchronous, so the first step of a subscription's
/// enumeration waits for it and then yields the deployment's current verdict (a repeat of what the caller read is
/// skipped by the caller), so a change made elsewhere between the caller's read and the hub subscription is not lost.
/// </remarks>
internal sealed partial class ClusterVerdictFeed(InProcessVerdictFeed local, IGrainFactory grains, ILogger<ClusterVerdictFeed> logger)
    : IVerdictFeed, IVerdictObserver, IHostedService, IDisposable
{
    private readonly Guid _origin = Guid.NewGuid();
    private readonly ConcurrentDictionary<string, HubSubscription> _hubs = new(StringComparer.Ordinal);
    private IVerdictObserver? _observer;
    private readonly CancellationTokenSource _stopping = new();
    private Task _renewal = Task.CompletedTask;

    public void Publish(string deploymentId, Verdict verdict)
    {
        local.Publish(deploymentId, verdict);
        grains.GetGrain<IVerdictHubGrain>(deploymentId).PublishAsync(verdict, _origin).Ignore();
    }

    public IAsyncEnumerable<Verdict> SubscribeAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var changes = local.SubscribeAsync(deploymentId, cancellationToken);
        var hub = _hubs.AddOrUpdate(deploymentId, id => new HubSubscription(SubscribeHubAsync(id)),
            (id, existing) => existing.TryAddSubscriber() ? existing : new HubSubscription(SubscribeHubAsync(id)));
        var lease = new Lease(() => Release(deploymentId, hub));
        var registration = cancellationToken.Register(lease.Dispose);
        return ReadAsync(deploymentId, hub, changes, lease, registration, cancellationToken);
    }

    Task IVerdictObserver.VerdictChangedAsync(string deploymentId, Verdict verdict, Guid origin)
    {
        if (origin != _origin)
        {
            local.Publish(deploymentId, verdict);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _renewal = RenewAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private IVerdictObserver Observer =>
        LazyInitializer.EnsureInitialized(ref _observer, () => grains.CreateObjectReference<IVerdictObserver>(this));

    private async IAsyncEnumerable<Verdict> ReadAsync(string deploymentId, HubSubscription hub, IAsyncEnumerable<Verdict> changes,
        Lease lease, CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await WaitSubscribedAsync(deploymentId, hub, cancellationToken).ConfigureAwait(false);
            var current = await grains.GetGrain<IDeploymentGrain>(deploymentId).GetAsync(cancellationToken).ConfigureAwait(false);
            if (current is not null)
            {
                yield return current.Verdict;
            }

            await foreach (var verdict in changes.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return verdict;
            }
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            lease.Dispose();
        }
    }

    /// <summary>A failed hub subscription does not fail the subscriber: the renewal retries it, local changes still arrive.</summary>
    private async Task WaitSubscribedAsync(string deploymentId, HubSubscription hub, CancellationToken cancellationToken)
    {
        try
        {
            await hub.Subscribed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRenewalFailed(logger, deploymentId, e);
        }
    }

    private void Release(string deploymentId, HubSubscription hub)
    {
        if (hub.RemoveSubscriber() == 0 && _hubs.TryRemove(new KeyValuePair<string, HubSubscription>(deploymentId, hub)))
        {
            UnsubscribeHubAsync(deploymentId).Ignore();
        }
    }

    private Task SubscribeHubAsync(string deploymentId) => grains.GetGrain<IVerdictHubGrain>(deploymentId).SubscribeAsync(Observer);

    private Task UnsubscribeHubAsync(string deploymentId) => grains.GetGrain<IVerdictHubGrain>(deploymentId).UnsubscribeAsync(Observer);

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(VerdictHub.RenewalPeriod);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var deploymentId in _hubs.Keys)
            {
                try
                {
                    await SubscribeHubAsync(deploymentId).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRenewalFailed(logger, deploymentId, e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the verdict subscription of deployment {DeploymentId} failed; retrying next period.")]
    private static partial void LogRenewalFailed(ILogger logger, string deploymentId, Exception exception);

    /// <summary>Runs its action once, whichever comes first: the end of the enumeration or the caller's cancellation.</summary>
    private sealed class Lease(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }

    /// <summary>This silo's subscribers of one deployment and its hub subscription.</summary>
    private sealed class HubSubscription(Task subscribed)
    {
        private int _subscribers = 1;

        public Task Subscribed { get; } = subscribed;

        /// <summary>False once the last subscriber left (the subscription is being removed).</summary>
        public bool TryAddSubscriber()
        {
            var count = Volatile.Read(ref _subscribers);
            while (count > 0)
            {
                var seen = Interlocked.CompareExchange(ref _subscribers, count + 1, count);
                if (seen == count)
                {
                    return true;
                }

                count = seen;
            }

            return false;
        }

        public int RemoveSubscriber() => Interlocked.Decrement(ref _subscribers);
    }
}
