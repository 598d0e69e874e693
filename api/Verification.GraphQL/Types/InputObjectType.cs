namespace Verification.GraphQL.Types;

/// <summary>An input object type (spec §3.10).</summary>
public sealed class InputObjectType(string name, string? description = null) : NamedType(name, description)
{
    private readonly List<InputValueDefinition> _fields = [];

    /// <summary>Fields in declaration order.</summary>
    public IReadOnlyList<InputValueDefinition> Fields => _fields;

    /// <summary>Whether this is a <c>@oneOf</c> input object is not supported (October 2021 edition).</summary>
    internal InputValueDefinition? GetField(string name) => _fields.FirstOrDefault(f => f.Name == name);

    /// <summary>Adds a field without a default.</summary>
    public InputObjectType Field(string name, IGraphType type, string? description = null)
    {
        EnsureMutable();
        _fields.Add(new InputValueDefinition(name, type, description));
        return this;
    }

    /// <summary>Adds a field with a default (an internal value).</summary>
    public InputObjectType Field(string name, IGraphType type, object? defaultValue, string? description = null)
    {
        EnsureMutable();
        _fields.Add(new InputValueDefinition(name, type, description) { DefaultValue = defaultValue });
        return this;
    }

    /// <summary>Adds a deprecated field.</summary>
    public InputObjectType DeprecatedField(string name, IGraphType type, string reason, string? description = null)
    {
        EnsureMutable();
        _fields.Add(new InputValueDefinition(name, type, description) { DeprecationReason = reason });
        return this;
    }
}
