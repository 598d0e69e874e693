using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.2.3 Fragment spread is possible: the fragment's type can overlap the parent type.</summary>
internal sealed class PossibleFragmentSpreadsRule : ValidationRule
{
    public override string Name => "PossibleFragmentSpreads";

    public override bool Enter(SyntaxNode node)
    {
        var parentType = Context.TypeInfo.ParentType;
        switch (node)
        {
            case InlineFragmentNode when Context.TypeInfo.Type is NamedType fragType && fragType.IsCompositeType()
                && parentType is not null && !Context.Schema.DoTypesOverlap(fragType, parentType):
                Report(
                    $"Fragment cannot be spread here as objects of type \"{parentType.Name}\" can never be of type \"{fragType.Name}\".",
                    node);
                break;
            case FragmentSpreadNode spread when Context.Fragments.TryGetValue(spread.Name.Value, out var fragment)
                && Context.Schema.GetType(fragment.TypeCondition.Name.Value) is { } spreadType && spreadType.IsCompositeType()
                && parentType is not null && !Context.Schema.DoTypesOverlap(spreadType, parentType):
                Report(
                    $"Fragment \"{spread.Name.Value}\" cannot be spread here as objects of type \"{parentType.Name}\" "
                    + $"can never be of type \"{spreadType.Name}\".",
                    node);
                break;
            default:
                break;
        }

        return true;
    }
}
