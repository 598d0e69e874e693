using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.8.4 All Variables Used (through fragments too).</summary>
internal sealed class NoUnusedVariablesRule : ValidationRule
{
    public override string Name => "NoUnusedVariables";

    public override bool Enter(SyntaxNode node) => node is DocumentNode;

    public override void Leave(SyntaxNode node)
    {
        if (node is not DocumentNode document)
        {
            return;
        }

        foreach (var operation in document.Definitions.OfType<OperationDefinitionNode>())
        {
            var used = Context.GetRecursiveVariableUsages(operation).Select(u => u.Node.Name.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var definition in operation.VariableDefinitions)
            {
                var name = definition.Variable.Name.Value;
                if (!used.Contains(name))
                {
                    Report(
                        operation.Name is null
                            ? $"Variable \"${name}\" is never used."
                            : $"Variable \"${name}\" is never used in operation \"{operation.Name.Value}\".",
                        definition);
                }
            }
        }
    }
}
