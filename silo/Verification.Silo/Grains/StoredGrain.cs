using Verification.Api.Contracts;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// Base of our Orleans grains: a state record kept by Orleans' ADO.NET grain storage (<see cref="StorageName"/>) and an append-only journal in the injected <see cref="IGrainStorage"/>. A write appends
/// the journal entries first and writes the state second, each durable before the call is answered: a crash between
/// the two leaves the journal ahead of the state, which the grain's activation repairs (<see cref="Recover"/>).
/// Orleans runs one call at a time per activation, so derived grains use their fields without locks. A failed write
/// (a stale ETag, a lost connection) or any other unexpected failure may leave memory ahead of storage: the activation
/// is then deactivated once the call ends, so the next call reloads the durable state. Answers to bad input
/// (<see cref="InputException"/>, <see cref="ConflictException"/>, <see cref="NotFoundException"/>) change nothing
/// and keep the activation.
/// <para>
/// A grain built with a state write delay (<see cref="StateWriteOptions"/>) may also append journal entries alone
/// (<see cref="AppendAsync"/>): the new state is then kept in memory, unwritten, and written by a one-shot grain timer after
/// the delay, on deactivation, or by the next write. The row then lags the journal, which activation repairs as after a
/// crash between the two commits. A deferred write is a write at the activation's ETag like any other: if another activation
/// wrote in between, it fails (a stale ETag) and this activation is deactivated, never overwriting the newer row.
/// </para>
/// </summary>
internal abstract class StoredGrain<TState> : Grain, IIncomingGrainCallFilter
    where TState : class
{
    /// <summary>The Orleans grain storage provider of every grain state (ADO.NET, configured in SiloBuilderExtensions).</summary>
    public const string StorageName = "verification";

    private readonly IPersistentState<StoredValue<TState>> _state;
    private readonly IGrainStorage _journal;
    private readonly TimeSpan _stateWriteDelay;

    /// <summary>The one-shot timer that writes an unwritten state; null while none is due.</summary>
    private IGrainTimer? _stateWriteTimer;

    /// <summary>The in-memory state counts journal entries the stored state does not (written later).</summary>
    private bool _unwritten;

    /// <summary>Another activation wrote (a deferred write met a stale ETag, or an append a taken key): this one writes no unwritten state.</summary>
    private bool _superseded;

    /// <summary>
    /// Names the grain's Orleans state <c>{typeName}/{key}</c> (e.g. <c>deployment/d1</c>; see <see cref="StorageKey.StateName"/>): our OrleansQuery SQL finds the
    /// row by that name, not by the provider's key parameters (see Storage/Sql/*/0002_orleans_persistence.sql). Orleans
    /// reads the state before <see cref="OnActivateAsync"/>.
    /// </summary>
    /// <param name="stateWriteDelay">How long the state may stay unwritten after <see cref="AppendAsync"/>; zero (the default):
    /// never, <see cref="AppendAsync"/> writes the state at once.</param>
    protected StoredGrain(IPersistentStateFactory states, IGrainStorage journal, SiloMetrics metrics, string typeName,
        TimeSpan stateWriteDelay = default)
    {
        ArgumentNullException.ThrowIfNull(states);
        Id = new StorageKey(typeName, this.GetPrimaryKeyString());
        _journal = journal;
        Metrics = metrics;
        _stateWriteDelay = stateWriteDelay;
        _state = states.Create<StoredValue<TState>>(GrainContext, new PersistentStateAttribute(Id.StateName, StorageName));
    }

    /// <summary>Where this grain is stored: its type name and its string key (also its Orleans state name, as type/key).</summary>
    protected StorageKey Id { get; }

    /// <summary>The grain's string key (a deploy ID, a service name).</summary>
    protected string Key => Id.Key;

    /// <summary>The silo's instruments.</summary>
    protected SiloMetrics Metrics { get; }

    /// <summary>The stored state, or null while the grain has never been written.</summary>
    protected TState? State => _state.State.Value;

    /// <summary>The stored version (the ETag) of <see cref="State"/>; 0 while nothing is stored.</summary>
    protected long Version => long.TryParse(_state.Etag, out var version) ? version : 0;

    /// <summary>Orleans has read the state before this runs; derived grains replay their journal after calling this.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Metrics.GrainActivations(1);
        return Task.CompletedTask;
    }

    /// <summary>Writes an unwritten state (<see cref="AppendAsync"/>) before the activation leaves memory.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics.GrainActivations(-1);
        await WriteUnwrittenAsync(deactivating: true, cancellationToken).ConfigureAwait(true);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await context.Invoke().ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is not (InputException or ConflictException or NotFoundException))
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Reads the state again from storage (e.g. to tell another writer's change from a known batch id).</summary>
    protected Task ReadStateAsync(CancellationToken cancellationToken) => _state.ReadStateAsync(cancellationToken);

    /// <summary>
    /// Appends <paramref name="entries"/>, then writes <paramref name="next"/>. On success the in-memory state becomes
    /// <paramref name="next"/>; on a failure it is left unchanged and the exception propagates (then <see cref="Invoke"/>
    /// deactivates this activation after the call, so that the next call reloads).
    /// </summary>
    protected async Task WriteStateAsync(TState next, IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken)
    {
        await AppendJournalAsync(entries, cancellationToken).ConfigureAwait(true);
        await WriteValueAsync(next, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>
    /// Appends <paramref name="entries"/>. A sequence number or batch id already taken means another writer appended since this
    /// activation read the journal: its memory is stale, so it leaves an unwritten state unwritten.
    /// </summary>
    private async Task AppendJournalAsync(IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken)
    {
        try
        {
            await _journal.AppendAsync(Id, entries, cancellationToken).ConfigureAwait(true);
        }
        catch (GrainStateConflictException)
        {
            _superseded = true;
            throw;
        }
    }

    protected Task WriteStateAsync(TState next, CancellationToken cancellationToken) =>
        WriteStateAsync(next, [], cancellationToken);

    /// <summary>Whether <see cref="AppendAsync"/> may leave the state unwritten (a state write delay was given).</summary>
    protected bool DefersStateWrites => _stateWriteDelay > TimeSpan.Zero;

    /// <summary>
    /// Appends <paramref name="entries"/> and makes <paramref name="next"/> the in-memory state without writing it; it is
    /// written within the state write delay (or on deactivation, or by the next write). For a state that differs from the
    /// stored one only in what the journal rebuilds on activation. Without a delay this is <see cref="WriteStateAsync(TState, IReadOnlyList{JournalEntry}, CancellationToken)"/>.
    /// </summary>
    protected async Task AppendAsync(TState next, IReadOnlyList<JournalEntry> entries, CancellationToken cancellationToken)
    {
        if (!DefersStateWrites)
        {
            await WriteStateAsync(next, entries, cancellationToken).ConfigureAwait(true);
            return;
        }

        await AppendJournalAsync(entries, cancellationToken).ConfigureAwait(true);
        _state.State.Value = next;
        MarkUnwritten();
    }

    /// <summary>A deferred write of the state failed (logged by the derived grain); the activation is deactivated.</summary>
    protected virtual void StateWriteFailed(Exception exception)
    {
    }

    /// <summary>
    /// Writes the empty state (<c>null</c>): the grain then reads as never written and listings skip it. The row stays, at
    /// a new version, so this activation can write again without reloading (a delete that a later put may undo).
    /// </summary>
    protected Task WriteEmptyStateAsync(CancellationToken cancellationToken) => WriteValueAsync(null, cancellationToken);

    /// <summary>Deletes the state (<see cref="WriteEmptyStateAsync"/>); false when there was none.</summary>
    protected async Task<bool> DeleteStateAsync(CancellationToken cancellationToken)
    {
        if (State is null)
        {
            return false;
        }

        await WriteEmptyStateAsync(cancellationToken).ConfigureAwait(true);
        return true;
    }

    private async Task WriteValueAsync(TState? next, CancellationToken cancellationToken)
    {
        var previous = _state.State.Value;
        _state.State.Value = next;
        try
        {
            await _state.WriteStateAsync(cancellationToken).ConfigureAwait(true);
        }
        catch
        {
            _state.State.Value = previous;
            throw;
        }

        _unwritten = false;
        _stateWriteTimer?.Dispose();
        _stateWriteTimer = null;
    }

    private void MarkUnwritten()
    {
        _unwritten = true;
        // Not the timer's token: the tick disposes its own timer, which cancels that token before the write.
        _stateWriteTimer ??= this.RegisterGrainTimer(static (grain, _) => grain.WriteUnwrittenAsync(deactivating: false, CancellationToken.None),
            this, new GrainTimerCreationOptions(_stateWriteDelay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>
    /// Writes the unwritten state at this activation's ETag. A failure is reported (<see cref="StateWriteFailed"/>) and ends the
    /// activation; nothing is lost, the journal holds every acknowledged entry and the next activation replays it. A stale
    /// ETag means another activation wrote: this one never tries again.
    /// </summary>
    private async Task WriteUnwrittenAsync(bool deactivating, CancellationToken cancellationToken)
    {
        _stateWriteTimer?.Dispose();
        _stateWriteTimer = null;
        if (!_unwritten || _superseded)
        {
            return;
        }

        try
        {
            await WriteValueAsync(_state.State.Value, cancellationToken).ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OperationCanceledException || deactivating)
        {
            _superseded |= e is Orleans.Storage.InconsistentStateException;
            StateWriteFailed(e);
            if (!deactivating)
            {
                DeactivateOnIdle();
            }
        }
    }

    /// <summary>
    /// Replaces the in-memory state with <paramref name="recovered"/> without writing it: activation found journal entries
    /// the stored state does not count yet (a crash between the two commits of a write, or a state left unwritten by
    /// <see cref="AppendAsync"/>); the next write stores it, or, with a state write delay, the delay's timer.
    /// </summary>
    protected void Recover(TState recovered)
    {
        _state.State.Value = recovered;
        if (DefersStateWrites)
        {
            MarkUnwritten();
        }
    }

    protected IAsyncEnumerable<JournalEntry> ReadJournalAsync(long afterSequence, CancellationToken cancellationToken) =>
        _journal.ReadJournalAsync(Id, afterSequence, cancellationToken);
}
