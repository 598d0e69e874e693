using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.8.5 All Variable Usages Are Allowed (IsVariableUsageAllowed).</summary>
internal sealed class VariablesInAllowedPositionRule : ValidationRule
{
    public override string Name => "VariablesInAllowedPosition";

    public override bool Enter(SyntaxNode node) => node is DocumentNode;

    public override void Leave(SyntaxNode node)
    {
        if (node is not DocumentNode document)
        {
            return;
        }

        foreach (var operation in document.Definitions.OfType<OperationDefinitionNode>())
        {
            var definitions = new Dictionary<string, VariableDefinitionNode>(StringComparer.Ordinal);
            foreach (var definition in operation.VariableDefinitions)
            {
                definitions[definition.Variable.Name.Value] = definition;
            }

            foreach (var usage in Context.GetRecursiveVariableUsages(operation))
            {
                var name = usage.Node.Name.Value;
                if (usage.Type is null || !definitions.TryGetValue(name, out var definition)
                    || InputCoercion.TypeFromAst(Context.Schema, definition.Type) is not { } variableType)
                {
                    continue;
                }

                if (!IsAllowed(variableType, definition.DefaultValue, usage.Type, usage.DefaultValueOwner is not null))
                {
                    Report(
                        $"Variable \"${name}\" of type \"{variableType}\" used in position expecting type \"{usage.Type}\".",
                        definition,
                        usage.Node);
                }
            }
        }
    }

    private bool IsAllowed(IGraphType variableType, ValueNode? variableDefault, IGraphType locationType, bool locationHasDefault)
    {
        if (locationType is NonNullType nonNullLocation && variableType is not NonNullType)
        {
            var hasNonNullVariableDefault = variableDefault is not null and not NullValueNode;
            if (!hasNonNullVariableDefault && !locationHasDefault)
            {
                return false;
            }

            return Context.Schema.IsTypeSubTypeOf(variableType, nonNullLocation.OfType);
        }

        return Context.Schema.IsTypeSubTypeOf(variableType, locationType);
    }
}
