namespace Verification.GraphQL.Types;

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

    /// <summary>
    /// What resolving this field once costs in the executor's cost limit (<c>GraphQLExecutorOptions.MaxCost</c>), in
    /// units of roughly one microsecond of work: 1 by default, more for a resolver that reads or computes over many records.
    /// </summary>
    public int Cost { get; set; } = 1;

    /// <summary>For a list field: the argument that bounds its length (e.g. <c>first</c>); null counts a list as
    /// <c>GraphQLExecutorOptions.DefaultListSize</c> items.</summary>
    public string? ListSizeArgument { get; set; }

    /// <summary>
    /// Application data attached to the field (e.g. the permission a field needs), read by code that wraps resolvers;
    /// the engine itself does not look at it.
    /// </summary>
    public IDictionary<string, object?> Metadata { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

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

    /// <summary>Sets what the field costs (<see cref="Cost"/>) and, for a list, the argument bounding its length.</summary>
    public FieldDefinition Costs(int cost, string? listSizeArgument = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        Cost = cost;
        ListSizeArgument = listSizeArgument;
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
