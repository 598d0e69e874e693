namespace Verification.GraphQL.Types;

/// <summary>Object or interface type: a named set of fields and the interfaces it implements (spec §3.6, §3.7).</summary>
public abstract class FieldsType : NamedType
{
    private readonly List<FieldDefinition> _fields = [];
    private readonly Dictionary<string, FieldDefinition> _byName = new(StringComparer.Ordinal);
    private readonly List<InterfaceType> _interfaces = [];

    private protected FieldsType(string name, string? description)
        : base(name, description)
    {
    }

    /// <summary>Fields in declaration order.</summary>
    public IReadOnlyList<FieldDefinition> Fields => _fields;

    /// <summary>Declared interfaces.</summary>
    public IReadOnlyList<InterfaceType> Interfaces => _interfaces;

    /// <summary>Looks up a field by name.</summary>
    public FieldDefinition? GetField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Adds a field; <paramref name="resolver"/> null uses the default resolver.</summary>
    public FieldDefinition Field(string name, IGraphType type, FieldResolver? resolver = null, string? description = null)
    {
        EnsureMutable();
        var field = new FieldDefinition(name, type, resolver, description);
        if (!_byName.TryAdd(name, field))
        {
            throw new ArgumentException($"{Name}.{name} is already defined.", nameof(name));
        }

        _fields.Add(field);
        return field;
    }

    /// <summary>Adds a field with a synchronous resolver.</summary>
    public FieldDefinition Field(string name, IGraphType type, Func<ResolveFieldContext, object?> resolver, string? description = null) =>
        Field(name, type, ctx => ValueTask.FromResult(resolver(ctx)), description);

    private protected void AddInterface(InterfaceType type)
    {
        EnsureMutable();
        _interfaces.Add(type);
    }
}
