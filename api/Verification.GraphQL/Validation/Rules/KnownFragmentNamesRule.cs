using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.2.1 Fragment spread target defined.</summary>
internal sealed class KnownFragmentNamesRule : ValidationRule
{
    public override string Name => "KnownFragmentNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is FragmentSpreadNode spread && !Context.Fragments.ContainsKey(spread.Name.Value))
        {
            Report($"Unknown fragment \"{spread.Name.Value}\".", spread.Name);
        }

        return true;
    }
}
