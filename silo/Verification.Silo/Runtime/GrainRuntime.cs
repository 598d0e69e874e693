using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Runtime;

/// <summary>
/// The in-process grain runtime, kept Orleans-shaped: a grain is addressed by interface and string key,
/// activated on its first call, runs one call at a time (calls to different grains run in parallel),
/// persists its state with an ETag, is dropped after a conflicting write or an unexpected failure so that
/// the next call reloads from storage, and is deactivated when idle.
/// </summary>
internal sealed partial class GrainRuntime : IGrainFactory, IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly GrainTypeRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly IGrainStorage _storage;
    private readonly TimeProvider _time;
    private readonly JsonSerializerOptions _json;
    private readonly ILogger<GrainRuntime> _logger;
    private readonly TimeSpan _idleTimeout;
    private readonly int _maxConflictRetries;

    public GrainRuntime(
        GrainTypeRegistry registry,
        IServiceProvider services,
        IGrainStorage storage,
        TimeProvider time,
        IOptions<GrainRuntimeOptions> options,
        ILogger<GrainRuntime> logger)
    {
        options.Value.Validate();
        _registry = registry;
        _services = services;
        _storage = storage;
        _time = time;
        _json = ContractJson.Options;
        _logger = logger;
        _idleTimeout = TimeSpan.FromSeconds(options.Value.IdleTimeoutSeconds);
        _maxConflictRetries = options.Value.MaxConflictRetries;
    }

    /// <summary>How many activations are in memory now.</summary>
    public int ActiveCount => _activations.Count;

    public TGrain GetGrain<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var type = _registry.Get(typeof(TGrain));
        var proxy = DispatchProxy.Create<TGrain, GrainProxy>();
        ((GrainProxy)(object)proxy!).Bind(this, new GrainId(type.Name, key), type);
        return proxy;
    }

    /// <summary>Runs <paramref name="call"/> as one turn of the grain's activation, activating it first if needed.</summary>
    internal async Task<T> InvokeAsync<T>(GrainId id, GrainType type, Func<object, Task<T>> call, CancellationToken cancellationToken)
    {
        var conflicts = 0;
        while (true)
        {
            var activation = _activations.GetOrAdd(id, static (gid, state) => state.Runtime.CreateActivation(gid, state.Type), (Runtime: this, Type: type));
            await activation.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (activation.Deactivated)
                {
                    // Collected or dropped while we waited for the turn: take the next activation.
                    continue;
                }

                var grain = (IGrainLifecycle)activation.Instance;
                if (!activation.Activated)
                {
                    try
                    {
                        await grain.OnActivateAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        Drop(activation);
                        LogActivationFailed(_logger, id, ex);
                        throw;
                    }

                    activation.Activated = true;
                }

                Volatile.Write(ref activation.LastUsedTicks, _time.GetTimestamp());
                try
                {
                    return await call(activation.Instance).ConfigureAwait(false);
                }
                catch (Exception ex) when (!IsBenign(ex))
                {
                    // The in-memory state may no longer match storage (a conflicting write, a failed or cancelled
                    // write): drop the activation so that the next call reloads the durable state.
                    Drop(activation);
                    if (ex is not GrainStateConflictException)
                    {
                        throw;
                    }

                    // A conflicting write stored nothing, so running the call again on a freshly loaded activation
                    // is the same as the call arriving after the other writer's: safe to retry.
                    LogConflict(_logger, id, conflicts);
                    if (++conflicts > _maxConflictRetries)
                    {
                        throw;
                    }
                }
            }
            finally
            {
                activation.Turn.Release();
            }
        }
    }

    /// <summary>Deactivates every activation unused for the idle timeout; returns how many were deactivated.</summary>
    public async Task<int> CollectIdleAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var collected = 0;
        foreach (var activation in _activations.Values)
        {
            if (_time.GetElapsedTime(Volatile.Read(ref activation.LastUsedTicks), now) < _idleTimeout)
            {
                continue;
            }

            // Never wait: a busy activation is not idle.
            if (!await activation.Turn.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                if (activation.Deactivated || _time.GetElapsedTime(Volatile.Read(ref activation.LastUsedTicks), now) < _idleTimeout)
                {
                    continue;
                }

                await DeactivateAsync(activation, cancellationToken).ConfigureAwait(false);
                collected++;
            }
            finally
            {
                activation.Turn.Release();
            }
        }

        return collected;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var activation in _activations.Values)
        {
            await activation.Turn.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!activation.Deactivated)
                {
                    await DeactivateAsync(activation, CancellationToken.None).ConfigureAwait(false);
                }
            }
            finally
            {
                activation.Turn.Release();
            }
        }
    }

    private async Task DeactivateAsync(GrainActivation activation, CancellationToken cancellationToken)
    {
        Drop(activation);
        if (activation.Activated)
        {
            try
            {
                await ((IGrainLifecycle)activation.Instance).OnDeactivateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // State is durable before every acknowledgement, so a failing deactivation loses nothing.
                LogDeactivationFailed(_logger, activation.Id, ex);
            }
        }
    }

    private GrainActivation CreateActivation(GrainId id, GrainType type)
    {
        var instance = ActivatorUtilities.CreateInstance(_services, type.Implementation);
        ((IGrainLifecycle)instance).Bind(id, _storage, _json);
        return new GrainActivation(id, instance) { LastUsedTicks = _time.GetTimestamp() };
    }

    private void Drop(GrainActivation activation)
    {
        activation.Deactivated = true;
        _activations.TryRemove(new KeyValuePair<GrainId, GrainActivation>(activation.Id, activation));
    }

    /// <summary>Exceptions a grain throws before it changes anything: the activation stays.</summary>
    private static bool IsBenign(Exception ex) => ex is InputException or ConflictException or NotFoundException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activation of grain {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Grain {GrainId} lost a write conflict (retry {Retry}); its activation is dropped and reloads")]
    private static partial void LogConflict(ILogger logger, GrainId grainId, int retry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivation of grain {GrainId} failed")]
    private static partial void LogDeactivationFailed(ILogger logger, GrainId grainId, Exception exception);
}
