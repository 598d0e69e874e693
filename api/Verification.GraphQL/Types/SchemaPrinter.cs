using System.Text;
using Verification.GraphQL.Introspection;
using Verification.GraphQL.Language;

namespace Verification.GraphQL.Types;

/// <summary>
/// Prints a schema as SDL in the layout of graphql-js <c>printSchema</c>: schema definition only when root
/// names are not the conventional ones, then custom directives, then types in schema order; specified
/// scalars, specified directives and introspection types are left out.
/// </summary>
internal static class SchemaPrinter
{
    public static string Print(Schema schema)
    {
        var parts = new List<string>();
        if (SchemaDefinition(schema) is { } definition)
        {
            parts.Add(definition);
        }

        parts.AddRange(schema.Directives.Where(d => !DirectiveDefinition.Specified.Contains(d)).Select(PrintDirective));
        parts.AddRange(schema.Types.Values
            .Where(t => !(t is ScalarType { IsBuiltIn: true }) && !IntrospectionTypes.All.Contains(t))
            .Select(PrintType));
        return string.Join("\n\n", parts);
    }

    private static string? SchemaDefinition(Schema schema)
    {
        var conventional = schema.QueryType?.Name is null or "Query"
            && schema.MutationType?.Name is null or "Mutation"
            && schema.SubscriptionType?.Name is null or "Subscription";
        if (schema.Description is null && conventional)
        {
            return null;
        }

        var operations = new List<string>();
        if (schema.QueryType is not null)
        {
            operations.Add($"  query: {schema.QueryType.Name}");
        }

        if (schema.MutationType is not null)
        {
            operations.Add($"  mutation: {schema.MutationType.Name}");
        }

        if (schema.SubscriptionType is not null)
        {
            operations.Add($"  subscription: {schema.SubscriptionType.Name}");
        }

        return Description(schema.Description) + "schema {\n" + string.Join("\n", operations) + "\n}";
    }

    private static string PrintType(NamedType type) => type switch
    {
        ScalarType s => Description(s.Description) + "scalar " + s.Name
            + (s.SpecifiedByUrl is null ? string.Empty : $" @specifiedBy(url: {BlockString.PrintString(s.SpecifiedByUrl)})"),
        ObjectType o => Description(o.Description) + "type " + o.Name + Interfaces(o) + Fields(o),
        InterfaceType i => Description(i.Description) + "interface " + i.Name + Interfaces(i) + Fields(i),
        UnionType u => Description(u.Description) + "union " + u.Name
            + (u.Types.Count > 0 ? " = " + string.Join(" | ", u.Types.Select(t => t.Name)) : string.Empty),
        EnumType e => Description(e.Description) + "enum " + e.Name
            + Block(e.Values.Select((v, i) => Description(v.Description, "  ", i == 0) + "  " + v.Name + Deprecated(v.DeprecationReason))),
        InputObjectType io => Description(io.Description) + "input " + io.Name
            + Block(io.Fields.Select((f, i) => Description(f.Description, "  ", i == 0) + "  " + InputValue(f))),
        _ => throw new NotSupportedException(type.GetType().Name),
    };

    private static string Interfaces(FieldsType type) =>
        type.Interfaces.Count == 0 ? string.Empty : " implements " + string.Join(" & ", type.Interfaces.Select(i => i.Name));

    private static string Fields(FieldsType type) => Block(type.Fields.Select((f, i) =>
        Description(f.Description, "  ", i == 0) + "  " + f.Name + Arguments(f.Arguments, "  ") + ": " + f.Type
        + Deprecated(f.DeprecationReason)));

    private static string Block(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count == 0 ? string.Empty : " {\n" + string.Join("\n", list) + "\n}";
    }

    private static string Arguments(IReadOnlyList<InputValueDefinition> arguments, string indentation = "")
    {
        if (arguments.Count == 0)
        {
            return string.Empty;
        }

        if (arguments.All(a => string.IsNullOrEmpty(a.Description)))
        {
            return "(" + string.Join(", ", arguments.Select(InputValue)) + ")";
        }

        return "(\n" + string.Join("\n", arguments.Select((a, i) =>
            Description(a.Description, "  " + indentation, i == 0) + "  " + indentation + InputValue(a))) + "\n" + indentation + ")";
    }

    internal static string InputValue(InputValueDefinition value)
    {
        var text = value.Name + ": " + value.Type;
        var literal = value.HasDefaultValue ? value.DefaultLiteral ?? ValueConversion.AstFromValue(value.DefaultValue, value.Type) : null;
        if (literal is not null)
        {
            text += " = " + Printer.Print(literal);
        }

        return text + Deprecated(value.DeprecationReason);
    }

    private static string PrintDirective(DirectiveDefinition directive) =>
        Description(directive.Description) + "directive @" + directive.Name + Arguments(directive.Arguments)
        + (directive.IsRepeatable ? " repeatable" : string.Empty)
        + " on " + string.Join(" | ", directive.Locations.Select(DirectiveDefinition.LocationName));

    private static string Deprecated(string? reason) => reason switch
    {
        null => string.Empty,
        DirectiveDefinition.DefaultDeprecationReason => " @deprecated",
        _ => $" @deprecated(reason: {BlockString.PrintString(reason)})",
    };

    private static string Description(string? description, string indentation = "", bool firstInBlock = true)
    {
        if (description is null)
        {
            return string.Empty;
        }

        var literal = BlockString.IsPrintable(description) ? BlockString.Print(description) : BlockString.PrintString(description);
        var prefix = indentation.Length > 0 && !firstInBlock ? "\n" + indentation : indentation;
        var sb = new StringBuilder(prefix);
        sb.Append(literal.Replace("\n", "\n" + indentation, StringComparison.Ordinal));
        return sb.Append('\n').ToString();
    }
}
