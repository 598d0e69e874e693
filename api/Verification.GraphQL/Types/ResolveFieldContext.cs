using Verification.GraphQL.Execution;

namespace Verification.GraphQL.Types;

/// <summary>What a resolver sees: parent value, coerced arguments, path, cancellation and request services.</summary>
public sealed class ResolveFieldContext
{
    internal ResolveFieldContext(
        object? source,
        IReadOnlyDictionary<string, object?> arguments,
        FieldDefinition field,
        ObjectType parentType,
        ResponsePath path,
        OperationContext execution)
    {
        Source = source;
        Arguments = arguments;
        FieldDefinition = field;
        ParentType = parentType;
        ResponsePath = path;
        Execution = execution;
    }

    /// <summary>The parent object's value (the root value for root fields).</summary>
    public object? Source { get; }

    /// <summary>Coerced argument values (spec §6.4.1): int, double, string, bool, enum internal values, lists, dictionaries.</summary>
    public IReadOnlyDictionary<string, object?> Arguments { get; }

    /// <summary>The field being resolved.</summary>
    public FieldDefinition FieldDefinition { get; }

    /// <summary>The field name.</summary>
    public string FieldName => FieldDefinition.Name;

    /// <summary>The object type the field belongs to.</summary>
    public ObjectType ParentType { get; }

    /// <summary>The response path, e.g. <c>["deployments", 0, "verdict"]</c>.</summary>
    public IReadOnlyList<object> Path => ResponsePath.ToList();

    internal ResponsePath ResponsePath { get; }

    internal OperationContext Execution { get; }

    /// <summary>Cancelled when the request is aborted.</summary>
    public CancellationToken CancellationToken => Execution.CancellationToken;

    /// <summary>Request services (the HTTP request's scope when served by <c>MapGraphQL</c>).</summary>
    public IServiceProvider? Services => Execution.Services;

    /// <summary>Per-request state shared by all resolvers.</summary>
    public IDictionary<string, object?> UserContext => Execution.UserContext;

    /// <summary>Resolves a required service from <see cref="Services"/>.</summary>
    public T GetService<T>()
        where T : notnull
    {
        var services = Services ?? throw new InvalidOperationException("No services were supplied to this request.");
        return (T)(services.GetService(typeof(T)) ?? throw new InvalidOperationException($"Service {typeof(T).Name} is not registered."));
    }

    /// <summary>Whether the argument was provided (or has a default).</summary>
    public bool HasArgument(string name) => Arguments.ContainsKey(name);

    /// <summary>An argument converted to <typeparamref name="T"/>; <paramref name="fallback"/> when absent or null.</summary>
    public T GetArgument<T>(string name, T fallback = default!)
    {
        if (!Arguments.TryGetValue(name, out var value) || value is null)
        {
            return fallback;
        }

        return ValueConversion.ConvertTo<T>(value);
    }
}
