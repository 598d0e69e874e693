using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.1.1 Fragment Name Uniqueness.</summary>
internal sealed class UniqueFragmentNamesRule : ValidationRule
{
    private readonly Dictionary<string, NameNode> _known = new(StringComparer.Ordinal);

    public override string Name => "UniqueFragmentNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is FragmentDefinitionNode fragment)
        {
            if (_known.TryGetValue(fragment.Name.Value, out var first))
            {
                Report($"There can be only one fragment named \"{fragment.Name.Value}\".", first, fragment.Name);
            }
            else
            {
                _known[fragment.Name.Value] = fragment.Name;
            }
        }

        return node is DocumentNode;
    }
}
