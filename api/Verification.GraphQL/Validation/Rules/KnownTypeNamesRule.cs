using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.1.2 / §5.8.2: every named type in variable definitions and type conditions exists.</summary>
internal sealed class KnownTypeNamesRule : ValidationRule
{
    public override string Name => "KnownTypeNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is NamedTypeNode named && Context.Schema.GetType(named.Name.Value) is null)
        {
            var suggestions = Suggestions.List(named.Name.Value, Context.Schema.Types.Keys);
            Report($"Unknown type \"{named.Name.Value}\"." + Suggestions.DidYouMean(suggestions), named);
        }

        return true;
    }
}
