using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.7.1 Directives Are Defined and §5.7.2 Directives Are In Valid Locations.</summary>
internal sealed class KnownDirectivesRule : ValidationRule
{
    public override string Name => "KnownDirectives";

    public override bool Enter(SyntaxNode node)
    {
        var (values, valueLocation) = DirectiveLocations.InputValuesOf(node);
        foreach (var value in values)
        {
            Check(value.Directives, valueLocation);
        }

        if (DirectiveLocations.Of(node) is { } location)
        {
            Check(DirectiveLocations.DirectivesOf(node), location);
        }

        return true;
    }

    private void Check(IReadOnlyList<DirectiveNode> directives, DirectiveLocation location)
    {
        foreach (var directive in directives)
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
    }
}
