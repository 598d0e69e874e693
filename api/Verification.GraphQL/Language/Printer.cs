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
        _ => throw new NotSupportedException($"Printing {node.GetType().Name} is not supported."),
    };

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
