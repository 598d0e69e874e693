using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// Fans verdict changes out to subscribers in this process. Each subscriber has a bounded channel that keeps only
/// the newest verdicts (a slow subscriber skips intermediate ones, never blocks a grain). The feed of a single silo
/// (SQLite); in a cluster (PostgreSQL) <see cref="ClusterVerdictFeed"/> adds the other silos' changes on top of it.
/// </summary>
internal sealed class InProcessVerdictFeed : IVerdictFeed
{
    private const int SubscriberCapacity = 16;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<Verdict>, byte>> _subscribers = new(StringComparer.Ordinal);

    public void Publish(string deploymentId, Verdict verdict)
    {
        if (_subscribers.TryGetValue(deploymentId, out var channels))
        {
            foreach (var channel in channels.Keys)
            {
                channel.Writer.TryWrite(verdict);
            }
        }
    }

    /// <summary>
    /// Registers the subscriber at once — not when enumeration starts — so that nothing published after this call is
    /// missed; the registration ends with the enumeration or with <paramref name="cancellationToken"/>.
    /// </summary>
    public IAsyncEnumerable<Verdict> SubscribeAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<Verdict>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var channels = _subscribers.GetOrAdd(deploymentId, _ => new ConcurrentDictionary<Channel<Verdict>, byte>());
        channels.TryAdd(channel, 0);
        var registration = cancellationToken.Register(() => channels.TryRemove(channel, out _));
        return ReadAsync(channel, channels, registration, cancellationToken);
    }

    private static async IAsyncEnumerable<Verdict> ReadAsync(
        Channel<Verdict> channel,
        ConcurrentDictionary<Channel<Verdict>, byte> channels,
        CancellationTokenRegistration registration,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var verdict in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return verdict;
            }
        }
        finally
        {
            channels.TryRemove(channel, out _);
            await registration.DisposeAsync().ConfigureAwait(false);
        }
    }
}
