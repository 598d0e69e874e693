using Verification.GraphQL.Language;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.1.1 Executable Definitions: only operations and fragments may appear.</summary>
internal sealed class ExecutableDefinitionsRule : ValidationRule
{
    public override string Name => "ExecutableDefinitions";

    public override bool Enter(SyntaxNode node)
    {
        if (node is DocumentNode document)
        {
            foreach (var definition in document.Definitions)
            {
                if (definition is ExecutableDefinitionNode)
                {
                    continue;
                }

                var name = definition switch
                {
                    SchemaDefinitionNode => "schema",
                    TypeDefinitionNode t => $"\"{t.Name.Value}\"",
                    DirectiveDefinitionNode d => $"\"{d.Name.Value}\"",
                    _ => "unknown",
                };
                Report($"The {name} definition is not executable.", definition);
            }
        }

        return true;
    }
}
