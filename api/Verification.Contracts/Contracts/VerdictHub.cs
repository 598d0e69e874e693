using Orleans.Concurrency;

namespace Verification.Api.Contracts;

/// <summary>
/// One per deployment: carries its verdict changes to the silos that have subscribers (GraphQL <c>verdictChanged</c>,
/// long-polls), so that a change judged on any silo reaches subscribers on every silo. Holds one observer per silo;
/// an observer not renewed for <see cref="VerdictHub.ObserverExpiry"/> is dropped (its silo is gone, or the hub was
/// re-activated elsewhere and the silo re-subscribes).
/// </summary>
[Alias("Verification.IVerdictHubGrain")]
public interface IVerdictHubGrain : IGrainWithStringKey
{
    /// <summary>Adds or renews <paramref name="observer"/>.</summary>
    [Alias("SubscribeAsync")]
    Task SubscribeAsync(IVerdictObserver observer);

    [Alias("UnsubscribeAsync")]
    Task UnsubscribeAsync(IVerdictObserver observer);

    /// <summary>Sends <paramref name="verdict"/> to every observer; <paramref name="origin"/> names the publishing silo.</summary>
    [Alias("PublishAsync")]
    [OneWay]
    Task PublishAsync(Verdict verdict, Guid origin);
}

/// <summary>A silo's receiver of verdict changes from <see cref="IVerdictHubGrain"/>s.</summary>
[Alias("Verification.IVerdictObserver")]
public interface IVerdictObserver : IGrainObserver
{
    [Alias("VerdictChanged")]
    [OneWay]
    Task VerdictChangedAsync(string deploymentId, Verdict verdict, Guid origin);
}

/// <summary>Timings of the verdict hub protocol.</summary>
public static class VerdictHub
{
    /// <summary>How often a silo renews its observer at every hub it needs.</summary>
    public static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(5);

    /// <summary>A hub forgets an observer not renewed for this long.</summary>
    public static readonly TimeSpan ObserverExpiry = TimeSpan.FromSeconds(30);
}
