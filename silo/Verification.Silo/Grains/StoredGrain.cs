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
/// </summary>
internal abstract class StoredGrain<TState> : Grain, IIncomingGrainCallFilter
    where TState : class
{
    /// <summary>The Orleans grain storage provider of every grain state (ADO.NET, configured in SiloBuilderExtensions).</summary>
    public const string StorageName = "verification";

    private readonly IPersistentState<StoredValue<TState>> _state;
    private readonly IGrainStorage _journal;

    /// <summary>
    /// Names the grain's Orleans state <c>{typeName}/{key}</c> (e.g. <c>deployment/d1</c>; see <see cref="StorageKey.StateName"/>): our OrleansQuery SQL finds the
    /// row by that name, not by the provider's key parameters (see Storage/Sql/*/0002_orleans_persistence.sql). Orleans
    /// reads the state before <see cref="OnActivateAsync"/>.
    /// </summary>
    protected StoredGrain(IPersistentStateFactory states, IGrainStorage journal, SiloMetrics metrics, string typeName)
    {
        ArgumentNullException.ThrowIfNull(states);
        Id = new StorageKey(typeName, this.GetPrimaryKeyString());
        _journal = journal;
        Metrics = metrics;
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

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics.GrainActivations(-1);
        return Task.CompletedTask;
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
        await _journal.AppendAsync(Id, entries, cancellationToken).ConfigureAwait(true);
        await WriteValueAsync(next, cancellationToken).ConfigureAwait(true);
    }

    protected Task WriteStateAsync(TState next, CancellationToken cancellationToken) =>
        WriteStateAsync(next, [], cancellationToken);

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
    }

    /// <summary>
    /// Replaces the in-memory state with <paramref name="recovered"/> without writing it: activation found journal entries
    /// the stored state does not count yet (a crash between the two commits of a write); the next write stores it.
    /// </summary>
    protected void Recover(TState recovered) => _state.State.Value = recovered;

    protected IAsyncEnumerable<JournalEntry> ReadJournalAsync(long afterSequence, CancellationToken cancellationToken) =>
        _journal.ReadJournalAsync(Id, afterSequence, cancellationToken);
}
