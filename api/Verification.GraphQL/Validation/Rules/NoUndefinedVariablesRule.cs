using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.8.3 All Variable Uses Defined (through fragments too).</summary>
internal sealed class NoUndefinedVariablesRule : ValidationRule
{
    public override string Name => "NoUndefinedVariables";

    public override bool Enter(SyntaxNode node) => node is DocumentNode;

    public override void Leave(SyntaxNode node)
    {
        if (node is not DocumentNode document)
        {
            return;
        }

        foreach (var operation in document.Definitions.OfType<OperationDefinitionNode>())
        {
            var defined = operation.VariableDefinitions.Select(v => v.Variable.Name.Value).ToHashSet(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var usage in Context.GetRecursiveVariableUsages(operation))
            {
                var name = usage.Node.Name.Value;
                if (!defined.Contains(name) && reported.Add(name + "@" + usage.Node.Location.Start))
                {
                    Report(
                        operation.Name is null
                            ? $"Variable \"${name}\" is not defined."
                            : $"Variable \"${name}\" is not defined by operation \"{operation.Name.Value}\".",
                        usage.Node,
                        operation);
                }
            }
        }
    }
}
