namespace Verification.GraphQL.Types;

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
