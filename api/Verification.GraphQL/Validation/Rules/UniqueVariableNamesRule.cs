using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.8.1 Variable Uniqueness.</summary>
internal sealed class UniqueVariableNamesRule : ValidationRule
{
    public override string Name => "UniqueVariableNames";

    public override bool Enter(SyntaxNode node)
    {
        if (node is OperationDefinitionNode operation)
        {
            foreach (var group in operation.VariableDefinitions.GroupBy(v => v.Variable.Name.Value).Where(g => g.Count() > 1))
            {
                Report($"There can be only one variable named \"${group.Key}\".", group.Select(v => (SyntaxNode)v.Variable.Name).ToArray());
            }
        }

        return node is DocumentNode;
    }
}
