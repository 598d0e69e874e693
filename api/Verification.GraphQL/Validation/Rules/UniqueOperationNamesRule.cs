using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.2.1.1 Operation Name Uniqueness.</summary>
internal sealed class UniqueOperationNamesRule : ValidationRule
{
    private readonly Dictionary<string, NameNode> _known = new(StringComparer.Ordinal);

    public override string Name => "UniqueOperationNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is OperationDefinitionNode { Name: { } name })
        {
            if (_known.TryGetValue(name.Value, out var first))
            {
                Report($"There can be only one operation named \"{name.Value}\".", first, name);
            }
            else
            {
                _known[name.Value] = name;
            }
        }

        return node is DocumentNode or OperationDefinitionNode;
    }
}
