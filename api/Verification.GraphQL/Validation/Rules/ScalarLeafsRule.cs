using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.3.3 Leaf Field Selections.</summary>
internal sealed class ScalarLeafsRule : ValidationRule
{
    public override string Name => "ScalarLeafs";

    public override bool Enter(SyntaxNode node)
    {
        if (node is FieldNode field && Context.TypeInfo.Type is { } type)
        {
            var named = type.GetNamedType();
            if (named.IsLeafType())
            {
                if (field.SelectionSet is not null)
                {
                    Report(
                        $"Field \"{field.Name.Value}\" must not have a selection since type \"{type}\" has no subfields.",
                        field.SelectionSet);
                }
            }
            else if (field.SelectionSet is null)
            {
                Report(
                    $"Field \"{field.Name.Value}\" of type \"{type}\" must have a selection of subfields. "
                    + $"Did you mean \"{field.Name.Value} {{ ... }}\"?",
                    field);
            }
        }

        return true;
    }
}
