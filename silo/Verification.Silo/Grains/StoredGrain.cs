using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// Base of our Orleans grains whose state is a record stored with a journal in one transaction (<see cref="IGrainStorage"/>,
/// the journal store injected into the grain). Orleans runs one call at a time per activation, so derived grains use
/// their fields without locks. A failed write (a stale version, a lost connection) may leave the in-memory state ahead of
/// storage, and so may any other unexpected failure in the middle of a call: the activation is then deactivated once the
/// call ends, so the next call reloads the durable state. Answers to bad input (<see cref="InputException"/>,
/// <see cref="ConflictException"/>, <see cref="NotFoundException"/>) change nothing and keep the activation.
/// </summary>
internal abstract class StoredGrain<TState>(IGrainStorage storage, SiloMetrics metrics, string typeName) : Grain, IIncomingGrainCallFilter
    where TState : class
{
    private StorageKey? _id;

    /// <summary>Where this grain is stored: its type name and its string key.</summary>
    protected StorageKey Id => _id ??= new StorageKey(typeName, this.GetPrimaryKeyString());

    /// <summary>The grain's string key (a deploy ID, a service name).</summary>
    protected string Key => Id.Key;

    /// <summary>The silo's instruments.</summary>
    protected SiloMetrics Metrics { get; } = metrics;

    /// <summary>The stored state, or null while the grain has never been written.</summary>
    protected TState? State { get; private set; }

    /// <summary>The stored version (ETag) of <see cref="State"/>; 0 while nothing is stored.</summary>
    protected long Version { get; private set; }

    /// <summary>Reads the state; derived grains that rebuild more from the journal override and call this first.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Metrics.GrainActivations(1);
        return ReadStateAsync(cancellationToken);
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

    protected async Task ReadStateAsync(CancellationToken cancellationToken)
    {
        var stored = await storage.ReadAsync(Id, cancellationToken).ConfigureAwait(true);
        State = stored is null ? null : JsonSerializer.Deserialize<TState>(stored.Json, ContractJson.Options);
        Version = stored?.Version ?? 0;
    }

    /// <summary>
    /// Writes <paramref name="state"/> and appends <paramref name="journal"/> in one transaction. On success the in-memory
    /// state becomes <paramref name="state"/>; on a failure it is left unchanged and the exception propagates (then
    /// <see cref="Invoke"/> deactivates this activation after the call, so that the next call reloads).
    /// </summary>
    protected async Task WriteStateAsync(TState state, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(state, ContractJson.Options);
        Version = await storage.WriteAsync(Id, json, Version, journal, cancellationToken).ConfigureAwait(true);
        State = state;
    }

    protected Task WriteStateAsync(TState state, CancellationToken cancellationToken) =>
        WriteStateAsync(state, [], cancellationToken);

    protected IAsyncEnumerable<JournalEntry> ReadJournalAsync(long afterSequence, CancellationToken cancellationToken) =>
        storage.ReadJournalAsync(Id, afterSequence, cancellationToken);
}
