using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>The directive location of the node a directive is attached to (spec §3.13 ExecutableDirectiveLocation).</summary>
internal static class DirectiveLocations
{
    public static DirectiveLocation? Of(SyntaxNode owner) => owner switch
    {
        OperationDefinitionNode { Operation: OperationType.Query } => DirectiveLocation.Query,
        OperationDefinitionNode { Operation: OperationType.Mutation } => DirectiveLocation.Mutation,
        OperationDefinitionNode { Operation: OperationType.Subscription } => DirectiveLocation.Subscription,
        FieldNode => DirectiveLocation.Field,
        FragmentSpreadNode => DirectiveLocation.FragmentSpread,
        InlineFragmentNode => DirectiveLocation.InlineFragment,
        FragmentDefinitionNode => DirectiveLocation.FragmentDefinition,
        VariableDefinitionNode => DirectiveLocation.VariableDefinition,
        _ => null,
    };

    public static IReadOnlyList<DirectiveNode> DirectivesOf(SyntaxNode owner) => owner switch
    {
        OperationDefinitionNode o => o.Directives,
        SelectionNode s => s.Directives,
        FragmentDefinitionNode f => f.Directives,
        VariableDefinitionNode v => v.Directives,
        _ => [],
    };
}
