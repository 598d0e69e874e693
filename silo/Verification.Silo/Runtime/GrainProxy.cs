using System.Collections.Concurrent;
using System.Reflection;

namespace Verification.Silo.Runtime;

/// <summary>
/// The grain reference handed out by <see cref="GrainRuntime.GetGrain{TGrain}"/>: every interface call becomes a
/// turn on the grain's activation. Orleans generates these proxies at build time; we use <see cref="DispatchProxy"/>.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy.Create derives from this type at run time, so it cannot be sealed.
internal class GrainProxy : DispatchProxy
#pragma warning restore CA1852
{
    private static readonly ConcurrentDictionary<MethodInfo, Invoker> Invokers = new();
    private static readonly MethodInfo InvokeTypedMethod =
        typeof(GrainProxy).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;

    private GrainRuntime? _runtime;
    private GrainId _id;
    private GrainType? _type;

    private delegate object Invoker(GrainRuntime runtime, GrainId id, GrainType type, MethodInfo method, object?[] args);

    internal void Bind(GrainRuntime runtime, GrainId id, GrainType type)
    {
        _runtime = runtime;
        _id = id;
        _type = type;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (_runtime is null || _type is null)
        {
            throw new InvalidOperationException("The grain reference is not bound to a runtime.");
        }

        var invoker = Invokers.GetOrAdd(targetMethod, CreateInvoker);
        return invoker(_runtime, _id, _type, targetMethod, args ?? []);
    }

    private static Invoker CreateInvoker(MethodInfo method)
    {
        if (method.ReturnType == typeof(Task))
        {
            return static (runtime, id, type, m, args) => runtime.InvokeAsync(id, type, async grain =>
            {
                await ((Task)Call(grain, m, args)).ConfigureAwait(false);
                return true;
            }, TokenOf(args));
        }

        if (method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return InvokeTypedMethod.MakeGenericMethod(method.ReturnType.GetGenericArguments()[0]).CreateDelegate<Invoker>();
        }

        throw new NotSupportedException($"Grain method {method.DeclaringType}.{method.Name} must return Task or Task<T>.");
    }

    private static object InvokeTyped<T>(GrainRuntime runtime, GrainId id, GrainType type, MethodInfo method, object?[] args) =>
        runtime.InvokeAsync(id, type, grain => (Task<T>)Call(grain, method, args), TokenOf(args));

    private static object Call(object grain, MethodInfo method, object?[] args) =>
        method.Invoke(grain, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null)
            ?? throw new InvalidOperationException($"Grain method {method.Name} returned null instead of a task.");

    /// <summary>By convention the last parameter of a grain method is its CancellationToken; it also bounds the wait for the turn.</summary>
    private static CancellationToken TokenOf(object?[] args) =>
        args.Length > 0 && args[^1] is CancellationToken token ? token : CancellationToken.None;
}
