using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Validation.Rules;

/// <summary>Spec §5.6.1 Values of Correct Type (and §5.6.2/§5.6.4 input object fields: known and required).</summary>
internal sealed class ValuesOfCorrectTypeRule : ValidationRule
{
    public override string Name => "ValuesOfCorrectType";

    public override bool Enter(SyntaxNode node)
    {
        var typeInfo = Context.TypeInfo;
        switch (node)
        {
            case ListValueNode list:
                // The list's own position was pushed as its item type; the location type is the parent input type.
                if (typeInfo.ParentInputType?.GetNullableType() is not ListType)
                {
                    CheckLeaf(list, typeInfo.InputType);
                    return false;
                }

                return true;
            case ObjectValueNode obj:
                {
                    if (typeInfo.InputType?.GetNamedType() is not InputObjectType type)
                    {
                        CheckLeaf(obj, typeInfo.InputType);
                        return false;
                    }

                    foreach (var field in type.Fields)
                    {
                        if (field.IsRequired && !obj.Fields.Any(f => f.Name.Value == field.Name))
                        {
                            Report($"Field \"{type.Name}.{field.Name}\" of required type \"{field.Type}\" was not provided.", obj);
                        }
                    }

                    return true;
                }

            case ObjectFieldNode field:
                if (typeInfo.InputType is null && typeInfo.ParentInputType?.GetNamedType() is InputObjectType parent)
                {
                    Report(
                        $"Field \"{field.Name.Value}\" is not defined by type \"{parent.Name}\"."
                        + Suggestions.DidYouMean(Suggestions.List(field.Name.Value, parent.Fields.Select(f => f.Name))),
                        field);
                }

                return true;
            case NullValueNode when typeInfo.InputType is NonNullType nonNull:
                Report($"Expected value of type \"{nonNull}\", found null.", node);
                return true;
            case EnumValueNode or IntValueNode or FloatValueNode or StringValueNode or BooleanValueNode:
                CheckLeaf((ValueNode)node, typeInfo.InputType);
                return true;
            default:
                return true;
        }
    }

    /// <summary>isValidValueNode: the literal must parse as the (leaf) location type.</summary>
    private void CheckLeaf(ValueNode node, IGraphType? locationType)
    {
        if (locationType is null)
        {
            return;
        }

        var type = locationType.GetNamedType();
        if (!type.IsLeafType())
        {
            Report($"Expected value of type \"{locationType}\", found {Printer.Print(node)}.", node);
            return;
        }

        try
        {
            if (type is EnumType enumType)
            {
                ParseEnumLiteral(enumType, node);
            }
            else
            {
                ((ScalarType)type).ParseLiteral(node, null);
            }
        }
        catch (GraphQLException e)
        {
            // A GraphQL error from the type's literal parser is reported as it is (graphql-js isValidValueNode).
            Report(e.Message, node);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Report($"Expected value of type \"{locationType}\", found {Printer.Print(node)}; {e.Message}", node);
        }
    }

    private static void ParseEnumLiteral(EnumType type, ValueNode node)
    {
        var names = type.Values.Select(v => v.Name);
        if (node is not EnumValueNode enumNode)
        {
            var text = Printer.Print(node);
            throw new GraphQLException(
                $"Enum \"{type.Name}\" cannot represent non-enum value: {text}." + Suggestions.DidYouMean(Suggestions.List(text, names), "the enum value"));
        }

        if (type.FindByName(enumNode.Value) is null)
        {
            throw new GraphQLException(
                $"Value \"{enumNode.Value}\" does not exist in \"{type.Name}\" enum." + Suggestions.DidYouMean(Suggestions.List(enumNode.Value, names), "the enum value"));
        }
    }
}
