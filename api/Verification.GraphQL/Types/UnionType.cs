namespace Verification.GraphQL.Types;

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
