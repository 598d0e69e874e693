using Orleans.Utilities;
using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The per-deployment fan-out of verdict changes across silos (<see cref="IVerdictHubGrain"/>). Its observers live in
/// memory only: after a re-activation (idle collection, a silo's death) the silos' periodic renewal rebuilds them.
/// </summary>
internal sealed class VerdictHubGrain(ILogger<VerdictHubGrain> logger) : Grain, IVerdictHubGrain
{
    private readonly ObserverManager<IVerdictObserver> _observers = new(VerdictHub.ObserverExpiry, logger);

    public Task SubscribeAsync(IVerdictObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task UnsubscribeAsync(IVerdictObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task PublishAsync(Verdict verdict, Guid origin)
    {
        var deploymentId = this.GetPrimaryKeyString();
        _observers.Notify(o => o.VerdictChangedAsync(deploymentId, verdict, origin));
        return Task.CompletedTask;
    }
}
