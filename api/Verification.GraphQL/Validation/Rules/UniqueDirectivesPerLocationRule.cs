using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.7.3 Directives Are Unique Per Location (non-repeatable directives).</summary>
internal sealed class UniqueDirectivesPerLocationRule : ValidationRule
{
    // A type's definition and its extensions are one location (graphql-js keys them by type name).
    private readonly Dictionary<string, Dictionary<string, DirectiveNode>> _typeDirectives = new(StringComparer.Ordinal);

    public override string Name => "UniqueDirectivesPerLocation";

    public override bool Enter(SyntaxNode node)
    {
        var directives = DirectiveLocations.DirectivesOf(node);
        var typeKey = node switch
        {
            SchemaDefinitionNode => "schema",
            TypeDefinitionNode t => "type " + t.Name.Value,
            _ => null,
        };
        if (directives.Count < 2 && typeKey is null)
        {
            return true;
        }

        Dictionary<string, DirectiveNode> seen;
        if (typeKey is null)
        {
            seen = new Dictionary<string, DirectiveNode>(StringComparer.Ordinal);
        }
        else if (!_typeDirectives.TryGetValue(typeKey, out seen!))
        {
            _typeDirectives[typeKey] = seen = new Dictionary<string, DirectiveNode>(StringComparer.Ordinal);
        }

        foreach (var directive in directives)
        {
            var definition = Context.Schema.GetDirective(directive.Name.Value);
            if (definition is null || definition.IsRepeatable)
            {
                continue;
            }

            if (seen.TryGetValue(directive.Name.Value, out var first))
            {
                Report($"The directive \"@{directive.Name.Value}\" can only be used once at this location.", first, directive);
            }
            else
            {
                seen[directive.Name.Value] = directive;
            }
        }

        return true;
    }
}
