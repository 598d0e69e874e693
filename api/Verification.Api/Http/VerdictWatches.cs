using Verification.Api.Contracts;

namespace Verification.Api.Http;

/// <summary>
/// Long-polling requests waiting for a deployment's verdict to change. All the requests of one process that wait for
/// the same deployment share one <see cref="IVerdictFeed"/> subscription and one pending task: a change reads the
/// deployment once and completes that task, which answers every waiter. A waiter is a continuation on a task and a
/// timer — no thread, no polling.
/// </summary>
internal sealed class VerdictWatches(IVerdictFeed feed, IGrainFactory grains)
{
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Deployments watched right now (for tests and the benchmark).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>
    /// Starts (or joins) the watch of <paramref name="deploymentId"/>. The feed subscription exists when this returns,
    /// so a caller that takes <see cref="Lease.Current"/> and only then reads the deployment misses no change.
    /// </summary>
    public Lease Join(string deploymentId)
    {
        lock (_lock)
        {
            if (!_watches.TryGetValue(deploymentId, out var watch))
            {
                watch = new Watch(deploymentId, feed, grains, Ended);
                _watches.Add(deploymentId, watch);
            }

            watch.Users++;
            return new Lease(this, watch);
        }
    }

    /// <summary>
    /// A watch whose subscription ended without being stopped (the feed failed or completed) no longer hears changes: new
    /// waiters get a fresh one; its present waiters still answer when their wait ends, with the verdict read then.
    /// </summary>
    private void Ended(Watch watch)
    {
        lock (_lock)
        {
            if (_watches.TryGetValue(watch.DeploymentId, out var current) && ReferenceEquals(current, watch))
            {
                _watches.Remove(watch.DeploymentId);
            }
        }
    }

    private void Leave(Watch watch)
    {
        lock (_lock)
        {
            if (--watch.Users > 0)
            {
                return;
            }

            if (_watches.TryGetValue(watch.DeploymentId, out var current) && ReferenceEquals(current, watch))
            {
                _watches.Remove(watch.DeploymentId);
            }
        }

        watch.Stop();
    }

    /// <summary>One waiter's share of a watch; disposing it ends the subscription when it was the last.</summary>
    internal sealed class Lease(VerdictWatches owner, Watch watch) : IDisposable
    {
        private bool _disposed;

        /// <summary>
        /// The newest answer heard so far (null before the first change) and the task completed by the next change after
        /// it: the pair is swapped as one, so a waiter that checked <see cref="Change.Latest"/> cannot miss what follows.
        /// </summary>
        public Change Current => watch.Current;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                owner.Leave(watch);
            }
        }
    }

    /// <summary>The newest answer of a watch and the task of the change after it.</summary>
    internal sealed record Change(VerdictAnswer? Latest, Task<Change> Next);

    internal sealed class Watch
    {
        private readonly IGrainFactory _grains;
        private readonly Action<Watch> _ended;
        private readonly CancellationTokenSource _stop = new();
        private TaskCompletionSource<Change> _next = NewSource();
        private Change _current;

        public Watch(string deploymentId, IVerdictFeed feed, IGrainFactory grains, Action<Watch> ended)
        {
            DeploymentId = deploymentId;
            _grains = grains;
            _ended = ended;
            _current = new Change(null, _next.Task);

            // The feed registers the subscriber at this call, before any read of the deployment by a waiter.
            var changes = feed.SubscribeAsync(deploymentId, _stop.Token);
            _ = FollowAsync(changes);
        }

        public string DeploymentId { get; }

        /// <summary>Guarded by the owner's lock.</summary>
        public int Users { get; set; }

        public Change Current => Volatile.Read(ref _current);

        /// <summary>Ends the subscription (and a read in flight). The source is not disposed: the loop may still read its token.</summary>
        public void Stop() => _stop.Cancel();

        private static TaskCompletionSource<Change> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task FollowAsync(IAsyncEnumerable<Verdict> changes)
        {
            try
            {
                await foreach (var verdict in changes.ConfigureAwait(false))
                {
                    var answer = await ReadAsync(verdict).ConfigureAwait(false);
                    var completed = _next;
                    _next = NewSource();
                    var change = new Change(answer, _next.Task);
                    Volatile.Write(ref _current, change);

                    // Continuations run on the thread pool (RunContinuationsAsynchronously): this loop is not held up by
                    // thousands of waiters writing their answers.
                    completed.TrySetResult(change);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The last waiter left.
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The feed failed: handled below like an ended subscription.
            }

            _ended(this);
        }

        /// <summary>
        /// The answer after a published change: the deployment read once (its status decides <c>final</c>). Should the read
        /// fail, the published verdict itself, as a verdict judged while verifying (the feed carries no other).
        /// </summary>
        private async Task<VerdictAnswer> ReadAsync(Verdict verdict)
        {
            try
            {
                var deployment = await _grains.GetGrain<IDeploymentGrain>(DeploymentId).GetAsync(_stop.Token).ConfigureAwait(false);
                if (deployment is not null)
                {
                    return VerdictAnswer.Of(deployment);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Fall through to the published verdict.
            }

            return VerdictAnswer.Of(DeploymentVerdict.Of(DeploymentId, verdict, DeploymentStatus.Verifying));
        }
    }
}
