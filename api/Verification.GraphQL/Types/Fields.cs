using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;

namespace Verification.GraphQL.Types;

/// <summary>Resolves one field's value from its parent (spec §6.4.2 ResolveFieldValue).</summary>
public delegate ValueTask<object?> FieldResolver(ResolveFieldContext context);

/// <summary>Resolves a subscription root field to its source event stream (spec §6.2.3.1 ResolveFieldEventStream).</summary>
public delegate ValueTask<IAsyncEnumerable<object?>> SubscriptionResolver(ResolveFieldContext context);

/// <summary>An argument or input-object field (spec §3.6.1, §3.10): name, input type, optional default.</summary>
public sealed class InputValueDefinition
{
    private object? _defaultValue;

    internal InputValueDefinition(string name, IGraphType type, string? description)
    {
        Name = name;
        Type = type;
        Description = description;
    }

    /// <summary>The argument or field name.</summary>
    public string Name { get; }

    /// <summary>Its input type.</summary>
    public IGraphType Type { get; }

    /// <summary>Description.</summary>
    public string? Description { get; set; }

    /// <summary>Deprecation reason; non-null means deprecated (only allowed on nullable or defaulted values).</summary>
    public string? DeprecationReason { get; set; }

    /// <summary>Whether a default value was given (a default of null is a value).</summary>
    public bool HasDefaultValue { get; private set; }

    /// <summary>The default as an internal (already coerced) value: enum internal values, dictionaries for input objects.</summary>
    public object? DefaultValue
    {
        get => _defaultValue;
        set
        {
            _defaultValue = value;
            HasDefaultValue = true;
        }
    }

    /// <summary>Directives applied in SDL (printed, not executed).</summary>
    internal ValueNode? DefaultLiteral { get; set; }

    internal bool IsRequired => Type is NonNullType && !HasDefaultValue;

    /// <summary>Marks the value deprecated.</summary>
    public InputValueDefinition Deprecate(string reason = DirectiveDefinition.DefaultDeprecationReason)
    {
        DeprecationReason = reason;
        return this;
    }
}

/// <summary>A field of an object or interface type (spec §3.6).</summary>
public sealed class FieldDefinition
{
    private readonly List<InputValueDefinition> _arguments = [];

    internal FieldDefinition(string name, IGraphType type, FieldResolver? resolver, string? description)
    {
        Name = name;
        Type = type;
        Resolver = resolver;
        Description = description;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    /// <summary>Its output type.</summary>
    public IGraphType Type { get; }

    /// <summary>Resolver; null means the default resolver (property, dictionary entry or field of the parent).</summary>
    public FieldResolver? Resolver { get; set; }

    /// <summary>For subscription root fields: produces the source stream; <see cref="Resolver"/> then maps each event (default: the event itself).</summary>
    public SubscriptionResolver? Subscriber { get; set; }

    /// <summary>Description.</summary>
    public string? Description { get; set; }

    /// <summary>Deprecation reason; non-null means deprecated.</summary>
    public string? DeprecationReason { get; set; }

    /// <summary>Arguments in declaration order.</summary>
    public IReadOnlyList<InputValueDefinition> Arguments => _arguments;

    internal InputValueDefinition? FindArgument(string name)
    {
        foreach (var argument in _arguments)
        {
            if (argument.Name == name)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>Adds an argument without a default.</summary>
    public FieldDefinition Argument(string name, IGraphType type, string? description = null)
    {
        _arguments.Add(new InputValueDefinition(name, type, description));
        return this;
    }

    /// <summary>Adds an argument with a default (given as an internal value).</summary>
    public FieldDefinition Argument(string name, IGraphType type, object? defaultValue, string? description = null)
    {
        _arguments.Add(new InputValueDefinition(name, type, description) { DefaultValue = defaultValue });
        return this;
    }

    /// <summary>Adds a deprecated argument.</summary>
    public FieldDefinition DeprecatedArgument(string name, IGraphType type, string reason, string? description = null)
    {
        _arguments.Add(new InputValueDefinition(name, type, description) { DeprecationReason = reason });
        return this;
    }

    /// <summary>Marks the field deprecated.</summary>
    public FieldDefinition Deprecate(string reason = DirectiveDefinition.DefaultDeprecationReason)
    {
        DeprecationReason = reason;
        return this;
    }

    /// <summary>Sets the description.</summary>
    public FieldDefinition Describe(string description)
    {
        Description = description;
        return this;
    }

    /// <summary>Makes this a subscription field producing <paramref name="subscribe"/>'s events.</summary>
    public FieldDefinition Subscribe(SubscriptionResolver subscribe)
    {
        Subscriber = subscribe;
        return this;
    }
}

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
