namespace Verification.GraphQL.Types;

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
