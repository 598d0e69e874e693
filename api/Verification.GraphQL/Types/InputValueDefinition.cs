using Verification.GraphQL.Language;

namespace Verification.GraphQL.Types;

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

    /// <summary>The default as a literal (graphql-js astFromValue), computed at build for introspection and SDL.</summary>
    internal ValueNode? DefaultLiteral { get; set; }

    internal bool IsRequired => Type is NonNullType && !HasDefaultValue;

    /// <summary>Marks the value deprecated.</summary>
    public InputValueDefinition Deprecate(string reason = DirectiveDefinition.DefaultDeprecationReason)
    {
        DeprecationReason = reason;
        return this;
    }
}
