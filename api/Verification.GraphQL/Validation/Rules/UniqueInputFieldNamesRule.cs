using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.6.3 Input Object Field Uniqueness.</summary>
internal sealed class UniqueInputFieldNamesRule : ValidationRule
{
    public override string Name => "UniqueInputFieldNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is ObjectValueNode value && value.Fields.Count > 1)
        {
            var known = new Dictionary<string, NameNode>(StringComparer.Ordinal);
            foreach (var field in value.Fields)
            {
                if (known.TryGetValue(field.Name.Value, out var first))
                {
                    Report($"There can be only one input field named \"{field.Name.Value}\".", first, field.Name);
                }
                else
                {
                    known[field.Name.Value] = field.Name;
                }
            }
        }

        return true;
    }
}
