using Verification.GraphQL.Execution;
using Verification.GraphQL.Introspection;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation;

/// <summary>
/// Tracks, during the validation walk, the type context of the current node: output type, parent composite
/// type, field definition, input type (with its default), directive and argument (graphql-js TypeInfo).
/// </summary>
internal sealed class TypeInfo(Schema schema)
{
    private readonly Stack<IGraphType?> _types = new();
    private readonly Stack<NamedType?> _parentTypes = new();
    private readonly Stack<IGraphType?> _inputTypes = new();
    private readonly Stack<FieldDefinition?> _fieldDefs = new();
    private readonly Stack<InputValueDefinition?> _defaultValues = new();

    public Schema Schema { get; } = schema;

    public IGraphType? Type => _types.Count > 0 ? _types.Peek() : null;

    public NamedType? ParentType => _parentTypes.Count > 0 ? _parentTypes.Peek() : null;

    public IGraphType? InputType => _inputTypes.Count > 0 ? _inputTypes.Peek() : null;

    public IGraphType? ParentInputType => _inputTypes.Count > 1 ? _inputTypes.ElementAt(1) : null;

    public FieldDefinition? FieldDef => _fieldDefs.Count > 0 ? _fieldDefs.Peek() : null;

    /// <summary>The argument or input field whose value is being visited, if it declares a default.</summary>
    public InputValueDefinition? DefaultValueOwner => _defaultValues.Count > 0 ? _defaultValues.Peek() : null;

    public DirectiveDefinition? Directive { get; private set; }

    public InputValueDefinition? Argument { get; private set; }

    public static FieldDefinition? GetFieldDef(Schema schema, NamedType? parentType, string name)
    {
        if (name == "__typename" && parentType is ObjectType or InterfaceType or UnionType)
        {
            return IntrospectionTypes.TypeNameMetaField;
        }

        if (ReferenceEquals(parentType, schema.QueryType))
        {
            if (name == "__schema")
            {
                return IntrospectionTypes.SchemaMetaField;
            }

            if (name == "__type")
            {
                return IntrospectionTypes.TypeMetaField;
            }
        }

        return parentType is FieldsType fields ? fields.GetField(name) : null;
    }

    public void Enter(SyntaxNode node)
    {
        switch (node)
        {
            case SelectionSetNode:
                {
                    var named = Type?.GetNamedType();
                    _parentTypes.Push(named is not null && named.IsCompositeType() ? named : null);
                    break;
                }

            case FieldNode field:
                {
                    var parent = ParentType;
                    var def = parent is null ? null : GetFieldDef(Schema, parent, field.Name.Value);
                    _fieldDefs.Push(def);
                    _types.Push(def?.Type is { } t && t.IsOutputType() ? t : null);
                    break;
                }

            case DirectiveNode directive:
                Directive = Schema.GetDirective(directive.Name.Value);
                break;
            case OperationDefinitionNode operation:
                _types.Push(Schema.GetRootType(operation.Operation));
                break;
            case InlineFragmentNode inline:
                {
                    var type = inline.TypeCondition is null ? Type?.GetNamedType() : Schema.GetType(inline.TypeCondition.Name.Value);
                    _types.Push(type is not null && type.IsOutputType() ? type : null);
                    break;
                }

            case FragmentDefinitionNode fragment:
                {
                    var type = Schema.GetType(fragment.TypeCondition.Name.Value);
                    _types.Push(type is not null && type.IsOutputType() ? type : null);
                    break;
                }

            case VariableDefinitionNode variable:
                {
                    var type = InputCoercion.TypeFromAst(Schema, variable.Type);
                    _inputTypes.Push(type is not null && type.IsInputType() ? type : null);
                    break;
                }

            case ArgumentNode argument:
                {
                    var def = Directive is not null ? Directive.FindArgument(argument.Name.Value) : FieldDef?.FindArgument(argument.Name.Value);
                    Argument = def;
                    _defaultValues.Push(def is { HasDefaultValue: true } ? def : null);
                    _inputTypes.Push(def?.Type is { } t && t.IsInputType() ? t : null);
                    break;
                }

            case ListValueNode:
                {
                    var listType = InputType?.GetNullableType();
                    var itemType = listType is ListType list ? list.OfType : listType;
                    _defaultValues.Push(null);
                    _inputTypes.Push(itemType is not null && itemType.IsInputType() ? itemType : null);
                    break;
                }

            case ObjectFieldNode objectField:
                {
                    var objectType = InputType?.GetNamedType() as InputObjectType;
                    var inputField = objectType?.GetField(objectField.Name.Value);
                    _defaultValues.Push(inputField is { HasDefaultValue: true } ? inputField : null);
                    _inputTypes.Push(inputField?.Type is { } t && t.IsInputType() ? t : null);
                    break;
                }

            default:
                break;
        }
    }

    public void Leave(SyntaxNode node)
    {
        switch (node)
        {
            case SelectionSetNode:
                _parentTypes.Pop();
                break;
            case FieldNode:
                _fieldDefs.Pop();
                _types.Pop();
                break;
            case DirectiveNode:
                Directive = null;
                break;
            case OperationDefinitionNode or InlineFragmentNode or FragmentDefinitionNode:
                _types.Pop();
                break;
            case VariableDefinitionNode:
                _inputTypes.Pop();
                break;
            case ArgumentNode:
                Argument = null;
                _defaultValues.Pop();
                _inputTypes.Pop();
                break;
            case ListValueNode or ObjectFieldNode:
                _defaultValues.Pop();
                _inputTypes.Pop();
                break;
            default:
                break;
        }
    }
}
