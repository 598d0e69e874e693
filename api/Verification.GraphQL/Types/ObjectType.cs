namespace Verification.GraphQL.Types;

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
