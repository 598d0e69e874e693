using System.Text.RegularExpressions;

namespace Verification.GraphQL.Types;

/// <summary>A type reference: a named type, or a list / non-null wrapper of one (spec §3.4).</summary>
public interface IGraphType
{
}

/// <summary>A type with a name and description: scalar, object, interface, union, enum or input object.</summary>
public abstract partial class NamedType : IGraphType
{
    private protected NamedType(string name, string? description)
    {
        Name = name;
        Description = description;
    }

    /// <summary>The type's name (spec §2.1.9 Name).</summary>
    public string Name { get; }

    /// <summary>Markdown description shown by introspection.</summary>
    public string? Description { get; set; }

    /// <summary>Whether the type was frozen by <see cref="SchemaBuilder.Build"/>.</summary>
    internal bool IsFrozen { get; private set; }

    internal void Freeze() => IsFrozen = true;

    private protected void EnsureMutable()
    {
        if (IsFrozen)
        {
            throw new InvalidOperationException($"Type \"{Name}\" belongs to a built schema and cannot be changed.");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    [GeneratedRegex("^[_A-Za-z][_0-9A-Za-z]*$")]
    internal static partial Regex NameRegex();
}

/// <summary>List wrapper: <c>[T]</c>.</summary>
public sealed class ListType(IGraphType ofType) : IGraphType
{
    /// <summary>The item type.</summary>
    public IGraphType OfType { get; } = ofType;

    /// <inheritdoc/>
    public override string ToString() => $"[{OfType}]";
}

/// <summary>Non-null wrapper: <c>T!</c>. The wrapped type must not itself be non-null.</summary>
public sealed class NonNullType : IGraphType
{
    /// <summary>Wraps a nullable type.</summary>
    public NonNullType(IGraphType ofType)
    {
        if (ofType is NonNullType)
        {
            throw new ArgumentException($"Cannot wrap {ofType} in NonNull: it is already non-null.", nameof(ofType));
        }

        OfType = ofType;
    }

    /// <summary>The nullable type this wraps.</summary>
    public IGraphType OfType { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{OfType}!";
}

/// <summary>Helpers for composing type references.</summary>
public static class GraphTypeExtensions
{
    /// <summary><c>T!</c>.</summary>
    public static NonNullType NonNull(this IGraphType type) => new(type);

    /// <summary><c>[T]</c>.</summary>
    public static ListType List(this IGraphType type) => new(type);

    /// <summary>The named type under any list/non-null wrappers.</summary>
    public static NamedType GetNamedType(this IGraphType type) => type switch
    {
        NamedType named => named,
        ListType list => list.OfType.GetNamedType(),
        NonNullType nonNull => nonNull.OfType.GetNamedType(),
        _ => throw new ArgumentException($"Unknown type reference {type}.", nameof(type)),
    };

    /// <summary>The type without a non-null wrapper.</summary>
    public static IGraphType GetNullableType(this IGraphType type) => type is NonNullType n ? n.OfType : type;

    /// <summary>Input types: scalars, enums, input objects and wrappers of them (spec §3.4.2 IsInputType).</summary>
    public static bool IsInputType(this IGraphType type) => type.GetNamedType() is ScalarType or EnumType or InputObjectType;

    /// <summary>Output types: everything but input objects (spec §3.4.2 IsOutputType).</summary>
    public static bool IsOutputType(this IGraphType type) => type.GetNamedType() is not InputObjectType;

    internal static bool IsLeafType(this IGraphType type) => type is ScalarType or EnumType;

    internal static bool IsCompositeType(this IGraphType type) => type is ObjectType or InterfaceType or UnionType;

    internal static bool IsAbstractType(this IGraphType type) => type is InterfaceType or UnionType;

    /// <summary>Structural equality of type references (same named types, same wrappers).</summary>
    internal static bool IsEqualType(this IGraphType a, IGraphType b) => (a, b) switch
    {
        (NamedType x, NamedType y) => ReferenceEquals(x, y),
        (ListType x, ListType y) => x.OfType.IsEqualType(y.OfType),
        (NonNullType x, NonNullType y) => x.OfType.IsEqualType(y.OfType),
        _ => false,
    };
}
