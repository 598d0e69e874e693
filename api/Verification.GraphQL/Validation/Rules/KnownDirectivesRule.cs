using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.7.1 Directives Are Defined and §5.7.2 Directives Are In Valid Locations.</summary>
internal sealed class KnownDirectivesRule : ValidationRule
{
    public override string Name => "KnownDirectives";

    public override bool Enter(SyntaxNode node)
    {
        if (DirectiveLocations.Of(node) is not { } location)
        {
            return true;
        }

        foreach (var directive in DirectiveLocations.DirectivesOf(node))
        {
            var definition = Context.Schema.GetDirective(directive.Name.Value);
            if (definition is null)
            {
                Report($"Unknown directive \"@{directive.Name.Value}\".", directive);
            }
            else if (!definition.Locations.Contains(location))
            {
                Report(
                    $"Directive \"@{directive.Name.Value}\" may not be used on {DirectiveDefinition.LocationName(location)}.",
                    directive);
            }
        }

        return true;
    }
}
