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

/// <summary>An object type (spec §3.6).</summary>
public sealed class ObjectType(string name, string? description = null) : FieldsType(name, description)
{
    /// <summary>Decides whether a runtime value belongs to this type, for interfaces/unions without ResolveType.</summary>
    public Func<object, bool>? IsTypeOf { get; set; }

    /// <summary>Declares that this type implements <paramref name="interfaces"/>.</summary>
    public ObjectType Implements(params InterfaceType[] interfaces)
    {
        foreach (var i in interfaces)
        {
            AddInterface(i);
        }

        return this;
    }
}

/// <summary>An interface type (spec §3.7); may itself implement interfaces.</summary>
public sealed class InterfaceType(string name, string? description = null) : FieldsType(name, description)
{
    /// <summary>Maps a runtime value to its object type; when null, each possible type's IsTypeOf is asked.</summary>
    public Func<object, ObjectType?>? ResolveType { get; set; }

    /// <summary>Declares that this interface implements <paramref name="interfaces"/>.</summary>
    public InterfaceType Implements(params InterfaceType[] interfaces)
    {
        foreach (var i in interfaces)
        {
            AddInterface(i);
        }

        return this;
    }
}

/// <summary>A union type (spec §3.8).</summary>
public sealed class UnionType : NamedType
{
    private readonly List<ObjectType> _types;

    /// <summary>Defines a union of object types.</summary>
    public UnionType(string name, IEnumerable<ObjectType> types, string? description = null)
        : base(name, description)
    {
        _types = [.. types];
    }

    /// <summary>Member types.</summary>
    public IReadOnlyList<ObjectType> Types => _types;

    /// <summary>Maps a runtime value to its object type; when null, each member's IsTypeOf is asked.</summary>
    public Func<object, ObjectType?>? ResolveType { get; set; }
}

/// <summary>One value of an enum type, with its internal (resolver-side) value.</summary>
public sealed class EnumValueDefinition
{
    internal EnumValueDefinition(string name, object? value, string? description, string? deprecationReason)
    {
        Name = name;
        Value = value;
        Description = description;
        DeprecationReason = deprecationReason;
    }

    /// <summary>The name clients see.</summary>
    public string Name { get; }

    /// <summary>The internal value resolvers see and return.</summary>
    public object? Value { get; }

    /// <summary>Description.</summary>
    public string? Description { get; }

    /// <summary>Deprecation reason; non-null means deprecated.</summary>
    public string? DeprecationReason { get; }
}

/// <summary>An enum type (spec §3.9).</summary>
public sealed class EnumType(string name, string? description = null) : NamedType(name, description)
{
    private readonly List<EnumValueDefinition> _values = [];

    /// <summary>Values in declaration order.</summary>
    public IReadOnlyList<EnumValueDefinition> Values => _values;

    /// <summary>Adds a value; the internal value defaults to the name.</summary>
    public EnumType Value(string name, object? value = null, string? description = null, string? deprecationReason = null)
    {
        EnsureMutable();
        if (_values.Any(v => v.Name == name))
        {
            throw new ArgumentException($"Enum value {Name}.{name} is already defined.", nameof(name));
        }

        _values.Add(new EnumValueDefinition(name, value ?? name, description, deprecationReason));
        return this;
    }

    /// <summary>Defines an enum from a CLR enum: names in UPPER_SNAKE_CASE, internal values the CLR values.</summary>
    public static EnumType FromEnum<TEnum>(string? name = null, string? description = null)
        where TEnum : struct, Enum
    {
        var type = new EnumType(name ?? typeof(TEnum).Name, description);
        foreach (var value in Enum.GetValues<TEnum>())
        {
            type.Value(ToConstantCase(value.ToString()), value);
        }

        return type;
    }

    internal static string ToConstantCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(name[i]));
        }

        return sb.ToString();
    }

    internal EnumValueDefinition? FindByName(string name) => _values.FirstOrDefault(v => v.Name == name);

    internal EnumValueDefinition? FindByValue(object value)
    {
        foreach (var v in _values)
        {
            if (Equals(v.Value, value))
            {
                return v;
            }
        }

        // Tolerate resolvers returning the name itself for enums whose internal values differ.
        return value is string s ? FindByName(s) : null;
    }
}

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
