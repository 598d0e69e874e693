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
        SchemaDefinitionNode => DirectiveLocation.Schema,
        ScalarTypeDefinitionNode => DirectiveLocation.Scalar,
        ObjectTypeDefinitionNode { IsInterface: false } => DirectiveLocation.Object,
        ObjectTypeDefinitionNode { IsInterface: true } => DirectiveLocation.Interface,
        UnionTypeDefinitionNode => DirectiveLocation.Union,
        EnumTypeDefinitionNode => DirectiveLocation.Enum,
        EnumValueDefinitionNode => DirectiveLocation.EnumValue,
        InputObjectTypeDefinitionNode => DirectiveLocation.InputObject,
        FieldDefinitionNode => DirectiveLocation.FieldDefinition,
        _ => null,
    };

    /// <summary>Input value definitions owned by <paramref name="owner"/> and the location their directives are at:
    /// input object fields are INPUT_FIELD_DEFINITION, field and directive arguments ARGUMENT_DEFINITION.</summary>
    public static (IReadOnlyList<InputValueDefinitionNode> Values, DirectiveLocation Location) InputValuesOf(SyntaxNode owner) => owner switch
    {
        InputObjectTypeDefinitionNode i => (i.Fields, DirectiveLocation.InputFieldDefinition),
        FieldDefinitionNode f => (f.Arguments, DirectiveLocation.ArgumentDefinition),
        DirectiveDefinitionNode d => (d.Arguments, DirectiveLocation.ArgumentDefinition),
        _ => ([], DirectiveLocation.ArgumentDefinition),
    };

    public static IReadOnlyList<DirectiveNode> DirectivesOf(SyntaxNode owner) => owner switch
    {
        OperationDefinitionNode o => o.Directives,
        SelectionNode s => s.Directives,
        FragmentDefinitionNode f => f.Directives,
        VariableDefinitionNode v => v.Directives,
        SchemaDefinitionNode s => s.Directives,
        TypeDefinitionNode t => t.Directives,
        EnumValueDefinitionNode e => e.Directives,
        FieldDefinitionNode f => f.Directives,
        InputValueDefinitionNode v => v.Directives,
        _ => [],
    };
}
