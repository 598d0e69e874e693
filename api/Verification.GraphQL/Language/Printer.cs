using System.Text;

namespace Verification.GraphQL.Language;

/// <summary>
/// Prints executable documents, values and type references in the canonical layout graphql-js uses
/// (two-space indentation, one selection per line, arguments wrapped past 80 columns).
/// </summary>
internal static class Printer
{
    private const int MaxLineLength = 80;

    public static string Print(SyntaxNode node) => node switch
    {
        DocumentNode d => string.Join("\n\n", d.Definitions.Select(Print)),
        OperationDefinitionNode o => PrintOperation(o),
        FragmentDefinitionNode f => $"fragment {f.Name.Value} on {f.TypeCondition.Name.Value} {Wrap(string.Empty, Directives(f.Directives), " ")}"
            + Print(f.SelectionSet),
        VariableDefinitionNode v => $"${v.Variable.Name.Value}: {Print(v.Type)}"
            + Wrap(" = ", v.DefaultValue is null ? string.Empty : Print(v.DefaultValue)) + Wrap(" ", Directives(v.Directives)),
        SelectionSetNode s => Block(s.Selections.Select(Print)),
        FieldNode f => PrintField(f),
        FragmentSpreadNode s => "..." + s.Name.Value + Wrap(" ", Directives(s.Directives)),
        InlineFragmentNode i => Join(
            " ",
            "...",
            i.TypeCondition is null ? string.Empty : "on " + i.TypeCondition.Name.Value,
            Directives(i.Directives),
            Print(i.SelectionSet)),
        ArgumentNode a => a.Name.Value + ": " + Print(a.Value),
        DirectiveNode d => "@" + d.Name.Value + Wrap("(", string.Join(", ", d.Arguments.Select(Print)), ")"),
        VariableNode v => "$" + v.Name.Value,
        IntValueNode i => i.Value,
        FloatValueNode f => f.Value,
        StringValueNode s => s.Block ? BlockString.Print(s.Value) : BlockString.PrintString(s.Value),
        BooleanValueNode b => b.Value ? "true" : "false",
        NullValueNode => "null",
        EnumValueNode e => e.Value,
        ListValueNode l => "[" + string.Join(", ", l.Values.Select(Print)) + "]",
        ObjectValueNode o => "{" + string.Join(", ", o.Fields.Select(Print)) + "}",
        ObjectFieldNode f => f.Name.Value + ": " + Print(f.Value),
        NamedTypeNode n => n.Name.Value,
        ListTypeNode l => "[" + Print(l.Type) + "]",
        NonNullTypeNode n => Print(n.Type) + "!",
        NameNode n => n.Value,
        TypeSystemDefinitionNode t => PrintTypeSystem(t),
        OperationTypeDefinitionNode o => o.Operation.ToString().ToLowerInvariant() + ": " + o.Type.Name.Value,
        FieldDefinitionNode f => Description(f.Description) + f.Name.Value + Arguments(f.Arguments) + ": " + Print(f.Type)
            + Wrap(" ", Directives(f.Directives)),
        InputValueDefinitionNode v => Description(v.Description) + Join(
            " ",
            v.Name.Value + ": " + Print(v.Type),
            v.DefaultValue is null ? string.Empty : "= " + Print(v.DefaultValue),
            Directives(v.Directives)),
        EnumValueDefinitionNode e => Description(e.Description) + Join(" ", e.Name.Value, Directives(e.Directives)),
        _ => throw new NotSupportedException($"Printing {node.GetType().Name} is not supported."),
    };

    /// <summary>Type-system definitions and extensions (spec §3), laid out like graphql-js print().</summary>
    private static string PrintTypeSystem(TypeSystemDefinitionNode node)
    {
        var extend = node.IsExtension ? "extend " : string.Empty;
        var description = node.IsExtension ? string.Empty : node switch
        {
            SchemaDefinitionNode s => Description(s.Description),
            TypeDefinitionNode t => Description(t.Description),
            DirectiveDefinitionNode d => Description(d.Description),
            _ => string.Empty,
        };
        return description + node switch
        {
            SchemaDefinitionNode s => Join(" ", extend + "schema", Directives(s.Directives), Block(s.OperationTypes.Select(Print))),
            ScalarTypeDefinitionNode s => Join(" ", extend + "scalar", s.Name.Value, Directives(s.Directives)),
            ObjectTypeDefinitionNode o => Join(
                " ",
                extend + (o.IsInterface ? "interface" : "type"),
                o.Name.Value,
                Wrap("implements ", string.Join(" & ", o.Interfaces.Select(Print))),
                Directives(o.Directives),
                Block(o.Fields.Select(Print))),
            UnionTypeDefinitionNode u => Join(
                " ", extend + "union", u.Name.Value, Directives(u.Directives), Wrap("= ", string.Join(" | ", u.Types.Select(Print)))),
            EnumTypeDefinitionNode e => Join(" ", extend + "enum", e.Name.Value, Directives(e.Directives), Block(e.Values.Select(Print))),
            InputObjectTypeDefinitionNode i => Join(" ", extend + "input", i.Name.Value, Directives(i.Directives), Block(i.Fields.Select(Print))),
            DirectiveDefinitionNode d => "directive @" + d.Name.Value + Arguments(d.Arguments) + (d.Repeatable ? " repeatable" : string.Empty)
                + " on " + string.Join(" | ", d.Locations.Select(l => l.Value)),
            _ => throw new NotSupportedException($"Printing {node.GetType().Name} is not supported."),
        };
    }

    private static string Description(StringValueNode? description) => description is null ? string.Empty : Print(description) + "\n";

    /// <summary>Argument definitions on one line, or one per line when any of them spans several lines.</summary>
    private static string Arguments(IReadOnlyList<InputValueDefinitionNode> arguments)
    {
        var printed = arguments.Select(Print).ToList();
        return printed.Any(a => a.Contains('\n', StringComparison.Ordinal))
            ? Wrap("(\n", Indent(string.Join("\n", printed)), "\n)")
            : Wrap("(", string.Join(", ", printed), ")");
    }

    private static string PrintOperation(OperationDefinitionNode o)
    {
        var varDefs = Wrap("(", string.Join(", ", o.VariableDefinitions.Select(Print)), ")");
        var prefix = Join(" ", o.Operation.ToString().ToLowerInvariant(), (o.Name?.Value ?? string.Empty) + varDefs, Directives(o.Directives));
        return (prefix == "query" ? string.Empty : prefix + " ") + Print(o.SelectionSet);
    }

    private static string PrintField(FieldNode f)
    {
        var prefix = Wrap(string.Empty, f.Alias?.Value ?? string.Empty, ": ") + f.Name.Value;
        var args = f.Arguments.Select(Print).ToList();
        var argsLine = prefix + Wrap("(", string.Join(", ", args), ")");
        if (argsLine.Length > MaxLineLength)
        {
            argsLine = prefix + Wrap("(\n", Indent(string.Join("\n", args)), "\n)");
        }

        return Join(" ", argsLine, Directives(f.Directives), f.SelectionSet is null ? string.Empty : Print(f.SelectionSet));
    }

    private static string Directives(IReadOnlyList<DirectiveNode> directives) => string.Join(" ", directives.Select(Print));

    private static string Join(string separator, params string[] parts) => string.Join(separator, parts.Where(p => p.Length > 0));

    private static string Wrap(string start, string value, string end = "") => value.Length == 0 ? string.Empty : start + value + end;

    private static string Block(IEnumerable<string> items)
    {
        var joined = string.Join("\n", items);
        return joined.Length == 0 ? string.Empty : "{\n" + Indent(joined) + "\n}";
    }

    private static string Indent(string value)
    {
        var sb = new StringBuilder("  ");
        foreach (var c in value)
        {
            sb.Append(c);
            if (c == '\n')
            {
                sb.Append("  ");
            }
        }

        return sb.ToString();
    }
}
