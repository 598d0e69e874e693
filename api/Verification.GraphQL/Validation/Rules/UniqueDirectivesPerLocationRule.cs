using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.7.3 Directives Are Unique Per Location (non-repeatable directives).</summary>
internal sealed class UniqueDirectivesPerLocationRule : ValidationRule
{
    public override string Name => "UniqueDirectivesPerLocation";

    public override bool Enter(SyntaxNode node)
    {
        var directives = DirectiveLocations.DirectivesOf(node);
        if (directives.Count < 2)
        {
            return true;
        }

        var seen = new Dictionary<string, DirectiveNode>(StringComparer.Ordinal);
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
