using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.8.2 Variables Are Input Types.</summary>
internal sealed class VariablesAreInputTypesRule : ValidationRule
{
    public override string Name => "VariablesAreInputTypes";

    public override bool Enter(SyntaxNode node)
    {
        if (node is VariableDefinitionNode definition
            && InputCoercion.TypeFromAst(Context.Schema, definition.Type) is { } type
            && !type.IsInputType())
        {
            Report(
                $"Variable \"${definition.Variable.Name.Value}\" cannot be non-input type \"{Printer.Print(definition.Type)}\".",
                definition.Type);
        }

        return true;
    }
}
