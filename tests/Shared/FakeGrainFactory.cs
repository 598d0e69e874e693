using System.Reflection;

namespace Verification.Tests.Shared;

/// <summary>
/// Orleans' <see cref="IGrainFactory"/> for tests and benchmarks that fake grains: <c>GetGrain&lt;T&gt;(string key)</c> is
/// answered by a function, every other member throws. Linked into each project that needs it (one copy of the code).
/// </summary>
#pragma warning disable CA1852 // DispatchProxy.Create derives from this type at run time, so it cannot be sealed.
internal class FakeGrainFactory : DispatchProxy
#pragma warning restore CA1852
{
    private Func<Type, string, object>? _resolve;

    /// <param name="resolve">Gets the grain interface type and the key; returns the grain.</param>
    public static IGrainFactory Create(Func<Type, string, object> resolve)
    {
        var factory = Create<IGrainFactory, FakeGrainFactory>();
        ((FakeGrainFactory)(object)factory)._resolve = resolve;
        return factory;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && args is [string key, ..] && _resolve is not null
            ? _resolve(targetMethod.GetGenericArguments()[0], key)
            : throw new NotSupportedException($"The fake grain factory answers GetGrain<T>(string) only, not {targetMethod?.Name}.");
}
