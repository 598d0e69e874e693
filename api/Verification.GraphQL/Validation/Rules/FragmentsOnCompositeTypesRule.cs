using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.5.1.3 Fragments On Composite Types.</summary>
internal sealed class FragmentsOnCompositeTypesRule : ValidationRule
{
    public override string Name => "FragmentsOnCompositeTypes";

    public override bool Enter(SyntaxNode node)
    {
        switch (node)
        {
            case InlineFragmentNode { TypeCondition: { } condition }
                when Context.Schema.GetType(condition.Name.Value) is { } type && !type.IsCompositeType():
                Report($"Fragment cannot condition on non composite type \"{condition.Name.Value}\".", condition);
                break;
            case FragmentDefinitionNode fragment
                when Context.Schema.GetType(fragment.TypeCondition.Name.Value) is { } type && !type.IsCompositeType():
                Report(
                    $"Fragment \"{fragment.Name.Value}\" cannot condition on non composite type \"{fragment.TypeCondition.Name.Value}\".",
                    fragment.TypeCondition);
                break;
            default:
                break;
        }

        return true;
    }
}
