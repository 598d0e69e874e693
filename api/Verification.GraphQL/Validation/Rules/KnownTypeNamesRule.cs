using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.1.2 / §5.8.2: every named type in variable definitions and type conditions exists.</summary>
internal sealed class KnownTypeNamesRule : ValidationRule
{
    public override string Name => "KnownTypeNames";

    private HashSet<string> _defined = [];

    public override bool Enter(SyntaxNode node)
    {
        if (node is DocumentNode document)
        {
            // Types defined by SDL in the same document count as known (graphql-js KnownTypeNamesRule).
            _defined = document.Definitions.OfType<TypeDefinitionNode>().Where(t => !t.IsExtension).Select(t => t.Name.Value).ToHashSet(StringComparer.Ordinal);
        }

        if (node is NamedTypeNode named && Context.Schema.GetType(named.Name.Value) is null && !_defined.Contains(named.Name.Value)
            && !(IsStandardScalar(named.Name.Value) && Context.CurrentDefinition is null))
        {
            var suggestions = Suggestions.List(named.Name.Value, Context.Schema.Types.Keys.Concat(_defined));
            Report($"Unknown type \"{named.Name.Value}\"." + Suggestions.DidYouMean(suggestions), named);
        }

        return true;
    }

    private static bool IsStandardScalar(string name) => name is "String" or "Int" or "Float" or "Boolean" or "ID";
}
