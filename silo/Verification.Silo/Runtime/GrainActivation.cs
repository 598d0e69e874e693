namespace Verification.Silo.Runtime;

/// <summary>
/// One activation of one grain: the instance, its turn lock and its bookkeeping.
/// All mutable fields are only touched while holding <see cref="Turn"/>, except <see cref="LastUsedTicks"/>
/// which the collector reads without it (a stale read only delays collection by one pass).
/// </summary>
internal sealed class GrainActivation(GrainId id, object instance) : IDisposable
{
    public GrainId Id { get; } = id;

    public object Instance { get; } = instance;

    /// <summary>One call at a time (turn-based, like Orleans' non-reentrant grains).</summary>
    public SemaphoreSlim Turn { get; } = new(1, 1);

    public bool Activated { get; set; }

    /// <summary>Set once the activation must not take calls any more; callers then retry on a new activation.</summary>
    public bool Deactivated { get; set; }

    public long LastUsedTicks;

    public void Dispose() => Turn.Dispose();
}
