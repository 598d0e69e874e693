using System.Text.Json;
using Verification.Silo.Storage;

namespace Verification.Silo.Runtime;

/// <summary>
/// Base of grains whose state is a record persisted through <see cref="IGrainStorage"/> (Orleans' Grain&lt;TState&gt;).
/// The runtime calls <see cref="OnActivateAsync"/> before the first call and never runs two calls at once,
/// so derived grains use their fields without locks.
/// </summary>
internal abstract class Grain<TState> : IGrainLifecycle
    where TState : class
{
    private IGrainStorage? _storage;
    private JsonSerializerOptions? _json;

    /// <summary>The grain's identity; set by the runtime before activation.</summary>
    public GrainId GrainId { get; private set; }

    /// <summary>The stored state, or null while the grain has never been written.</summary>
    protected TState? State { get; private set; }

    /// <summary>The stored version (ETag) of <see cref="State"/>; 0 while nothing is stored.</summary>
    protected long Version { get; private set; }

    public void Bind(GrainId id, IGrainStorage storage, JsonSerializerOptions json)
    {
        GrainId = id;
        _storage = storage;
        _json = json;
    }

    /// <summary>Called once per activation, before the first call; the default reads the state.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    /// <summary>Called when the runtime deactivates the grain (idle); state is already durable.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected async Task ReadStateAsync(CancellationToken cancellationToken)
    {
        var stored = await Storage.ReadAsync(GrainId, cancellationToken).ConfigureAwait(false);
        State = stored is null ? null : JsonSerializer.Deserialize<TState>(stored.Json, Json);
        Version = stored?.Version ?? 0;
    }

    /// <summary>
    /// Writes <paramref name="state"/> and appends <paramref name="journal"/> in one transaction. On success the
    /// in-memory state becomes <paramref name="state"/>; on a conflict it is left unchanged, the exception
    /// propagates and the runtime drops this activation so that the next call reloads.
    /// </summary>
    protected async Task WriteStateAsync(TState state, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(state, Json);
        Version = await Storage.WriteAsync(GrainId, json, Version, journal, cancellationToken).ConfigureAwait(false);
        State = state;
    }

    protected Task WriteStateAsync(TState state, CancellationToken cancellationToken) =>
        WriteStateAsync(state, [], cancellationToken);

    protected IAsyncEnumerable<JournalEntry> ReadJournalAsync(long afterSequence, CancellationToken cancellationToken) =>
        Storage.ReadJournalAsync(GrainId, afterSequence, cancellationToken);

    private IGrainStorage Storage => _storage ?? throw new InvalidOperationException("The grain is not bound to a runtime.");

    private JsonSerializerOptions Json => _json ?? throw new InvalidOperationException("The grain is not bound to a runtime.");
}
