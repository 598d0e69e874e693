using System.Collections;
using System.Text;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;
using Verification.GraphQL.Validation;

namespace Verification.GraphQL.Execution;

/// <summary>An argument error that points at the offending value rather than at the field (as graphql-js does).</summary>
internal sealed class LocatedGraphQLException(string message, SourceLocation location) : GraphQLException(message, ErrorCodes.BadUserInput)
{
    public SourceLocation Location { get; } = location;
}

/// <summary>
/// Input coercion: variable values (spec §6.1.2 CoerceVariableValues and the input rules of §3.5/§3.9/§3.10/§3.11),
/// literals (valueFromAST) and field/directive arguments (spec §6.4.1 CoerceArgumentValues).
/// </summary>
internal static class InputCoercion
{
    /// <summary>Marker for "no value" (distinct from null) in coerced maps.</summary>
    private static readonly object Invalid = new();

    public static IGraphType? TypeFromAst(Schema schema, TypeNode node) => node switch
    {
        NamedTypeNode n => schema.GetType(n.Name.Value),
        ListTypeNode l => TypeFromAst(schema, l.Type) is { } inner ? new ListType(inner) : null,
        NonNullTypeNode nn => TypeFromAst(schema, nn.Type) is { } inner ? new NonNullType(inner) : null,
        _ => null,
    };

    /// <summary>CoerceVariableValues (spec §6.1.2). Returns null and fills <paramref name="errors"/> on failure.</summary>
    public static Dictionary<string, object?>? CoerceVariableValues(
        Schema schema,
        OperationDefinitionNode operation,
        IReadOnlyDictionary<string, object?>? inputs,
        List<GraphQLError> errors,
        int maxErrors = 50)
    {
        var coerced = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var definition in operation.VariableDefinitions)
        {
            if (errors.Count >= maxErrors)
            {
                break;
            }

            var name = definition.Variable.Name.Value;
            var type = TypeFromAst(schema, definition.Type);
            var location = definition.Location.ToSource();
            if (type is null || !type.IsInputType())
            {
                errors.Add(Error(
                    $"Variable \"${name}\" expected value of type \"{Printer.Print(definition.Type)}\" which cannot be used as an input type.",
                    location));
                continue;
            }

            if (inputs is null || !inputs.TryGetValue(name, out var value))
            {
                if (definition.DefaultValue is not null)
                {
                    var (ok, defaultValue) = ValueFromAst(definition.DefaultValue, type, null);
                    if (ok)
                    {
                        coerced[name] = defaultValue;
                    }
                }
                else if (type is NonNullType)
                {
                    errors.Add(Error($"Variable \"${name}\" of required type \"{type}\" was not provided.", location));
                }

                continue;
            }

            if (value is null && type is NonNullType)
            {
                errors.Add(Error($"Variable \"${name}\" of non-null type \"{type}\" must not be null.", location));
                continue;
            }

            coerced[name] = CoerceInputValue(value, type, [], (path, invalid, message) =>
            {
                var at = path.Count > 0 ? $" at \"{name}{PrintPath(path)}\"" : string.Empty;
                errors.Add(Error($"Variable \"${name}\" got invalid value {Inspect.Value(invalid)}{at}; {message}", location));
            });
        }

        return errors.Count == 0 ? coerced : null;
    }

    private static GraphQLError Error(string message, SourceLocation location) =>
        new(message, [location], null, new Dictionary<string, object?> { ["code"] = ErrorCodes.BadUserInput });

    private static string PrintPath(List<object> path)
    {
        var sb = new StringBuilder();
        foreach (var key in path)
        {
            sb.Append(key is int i ? $"[{i}]" : "." + key);
        }

        return sb.ToString();
    }

    /// <summary>Coerces a JSON-shaped input value; reports each problem through <paramref name="onError"/>.</summary>
    public static object? CoerceInputValue(object? value, IGraphType type, List<object> path, Action<List<object>, object?, string> onError)
    {
        if (type is NonNullType nonNull)
        {
            if (value is not null)
            {
                return CoerceInputValue(value, nonNull.OfType, path, onError);
            }

            onError(path, value, $"Expected non-nullable type \"{type}\" not to be null.");
            return null;
        }

        if (value is null)
        {
            return null;
        }

        switch (type)
        {
            case ListType list:
                if (value is IEnumerable items and not string and not IDictionary)
                {
                    var result = new List<object?>();
                    var index = 0;
                    foreach (var item in items)
                    {
                        result.Add(CoerceInputValue(item, list.OfType, [.. path, index], onError));
                        index++;
                    }

                    return result;
                }

                // Input coercion of a single value into a list of one (spec §3.11).
                return new List<object?> { CoerceInputValue(value, list.OfType, path, onError) };

            case InputObjectType inputObject:
                {
                    if (value is not IDictionary<string, object?> fields)
                    {
                        onError(path, value, $"Expected type \"{inputObject.Name}\" to be an object.");
                        return null;
                    }

                    var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var field in inputObject.Fields)
                    {
                        if (!fields.TryGetValue(field.Name, out var fieldValue))
                        {
                            if (field.HasDefaultValue)
                            {
                                result[field.Name] = field.DefaultValue;
                            }
                            else if (field.Type is NonNullType)
                            {
                                onError(path, value, $"Field \"{field.Name}\" of required type \"{field.Type}\" was not provided.");
                            }

                            continue;
                        }

                        result[field.Name] = CoerceInputValue(fieldValue, field.Type, [.. path, field.Name], onError);
                    }

                    foreach (var key in fields.Keys)
                    {
                        if (inputObject.GetField(key) is null)
                        {
                            onError(path, value, $"Field \"{key}\" is not defined by type \"{inputObject.Name}\"."
                                + Suggestions.DidYouMean(Suggestions.List(key, inputObject.Fields.Select(f => f.Name))));
                        }
                    }

                    return result;
                }

            case ScalarType scalar:
                try
                {
                    return scalar.ParseValue(value);
                }
                catch (GraphQLException e)
                {
                    onError(path, value, e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    onError(path, value, $"Expected type \"{scalar.Name}\". {e.Message}");
                }

                return null;

            case EnumType enumType:
                {
                    if (value is not string name)
                    {
                        onError(path, value, $"Enum \"{enumType.Name}\" cannot represent non-string value: {Inspect.Value(value)}.");
                        return null;
                    }

                    var enumValue = enumType.FindByName(name);
                    if (enumValue is null)
                    {
                        onError(path, value, $"Value \"{name}\" does not exist in \"{enumType.Name}\" enum."
                            + Suggestions.DidYouMean(Suggestions.List(name, enumType.Values.Select(v => v.Name)), "the enum value"));
                        return null;
                    }

                    return enumValue.Value;
                }

            default:
                onError(path, value, $"Expected an input type, got {type}.");
                return null;
        }
    }

    /// <summary>valueFromAST: coerces a literal (possibly containing variables). Returns (false, _) when invalid.</summary>
    public static (bool Ok, object? Value) ValueFromAst(ValueNode node, IGraphType type, IReadOnlyDictionary<string, object?>? variables)
    {
        if (node is VariableNode variable)
        {
            if (variables is null || !variables.TryGetValue(variable.Name.Value, out var variableValue))
            {
                return (false, null);
            }

            return variableValue is null && type is NonNullType ? (false, null) : (true, variableValue);
        }

        if (type is NonNullType nonNull)
        {
            return node is NullValueNode ? (false, null) : ValueFromAst(node, nonNull.OfType, variables);
        }

        if (node is NullValueNode)
        {
            return (true, null);
        }

        switch (type)
        {
            case ListType list:
                if (node is ListValueNode listNode)
                {
                    var items = new List<object?>(listNode.Values.Count);
                    foreach (var item in listNode.Values)
                    {
                        if (IsMissingVariable(item, variables))
                        {
                            if (list.OfType is NonNullType)
                            {
                                return (false, null);
                            }

                            items.Add(null);
                            continue;
                        }

                        var (ok, value) = ValueFromAst(item, list.OfType, variables);
                        if (!ok)
                        {
                            return (false, null);
                        }

                        items.Add(value);
                    }

                    return (true, items);
                }

                {
                    var (ok, value) = ValueFromAst(node, list.OfType, variables);
                    return ok ? (true, new List<object?> { value }) : (false, null);
                }

            case InputObjectType inputObject:
                {
                    if (node is not ObjectValueNode objectNode)
                    {
                        return (false, null);
                    }

                    var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var field in inputObject.Fields)
                    {
                        var fieldNode = objectNode.Fields.FirstOrDefault(f => f.Name.Value == field.Name);
                        if (fieldNode is null || IsMissingVariable(fieldNode.Value, variables))
                        {
                            if (field.HasDefaultValue)
                            {
                                result[field.Name] = field.DefaultValue;
                            }
                            else if (field.Type is NonNullType)
                            {
                                return (false, null);
                            }

                            continue;
                        }

                        var (ok, value) = ValueFromAst(fieldNode.Value, field.Type, variables);
                        if (!ok)
                        {
                            return (false, null);
                        }

                        result[field.Name] = value;
                    }

                    return (true, result);
                }

            case EnumType enumType:
                return node is EnumValueNode enumNode && enumType.FindByName(enumNode.Value) is { } enumValue ? (true, enumValue.Value) : (false, null);

            case ScalarType scalar:
                try
                {
                    return (true, scalar.ParseLiteral(node, variables));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return (false, null);
                }

            default:
                return (false, null);
        }
    }

    private static bool IsMissingVariable(ValueNode node, IReadOnlyDictionary<string, object?>? variables) =>
        node is VariableNode v && (variables is null || !variables.ContainsKey(v.Name.Value));

    /// <summary>CoerceArgumentValues (spec §6.4.1); throws <see cref="GraphQLException"/> for the first invalid argument.</summary>
    public static Dictionary<string, object?> CoerceArgumentValues(
        IReadOnlyList<InputValueDefinition> definitions,
        IReadOnlyList<ArgumentNode> arguments,
        IReadOnlyDictionary<string, object?> variables)
    {
        var coerced = new Dictionary<string, object?>(definitions.Count, StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            ArgumentNode? argument = null;
            foreach (var a in arguments)
            {
                if (a.Name.Value == definition.Name)
                {
                    argument = a;
                    break;
                }
            }

            if (argument is null)
            {
                if (definition.HasDefaultValue)
                {
                    coerced[definition.Name] = definition.DefaultValue;
                }
                else if (definition.Type is NonNullType)
                {
                    throw new GraphQLException(
                        $"Argument \"{definition.Name}\" of required type \"{definition.Type}\" was not provided.", ErrorCodes.BadUserInput);
                }

                continue;
            }

            var isNull = argument.Value is NullValueNode;
            if (argument.Value is VariableNode variable)
            {
                if (!variables.TryGetValue(variable.Name.Value, out var variableValue))
                {
                    if (definition.HasDefaultValue)
                    {
                        coerced[definition.Name] = definition.DefaultValue;
                    }
                    else if (definition.Type is NonNullType)
                    {
                        throw new LocatedGraphQLException(
                            $"Argument \"{definition.Name}\" of required type \"{definition.Type}\" was provided the variable "
                            + $"\"${variable.Name.Value}\" which was not provided a runtime value.",
                            argument.Value.Location.ToSource());
                    }

                    continue;
                }

                isNull = variableValue is null;
            }

            if (isNull && definition.Type is NonNullType)
            {
                throw new LocatedGraphQLException(
                    $"Argument \"{definition.Name}\" of non-null type \"{definition.Type}\" must not be null.", argument.Value.Location.ToSource());
            }

            var (ok, value) = ValueFromAst(argument.Value, definition.Type, variables);
            if (!ok)
            {
                throw new LocatedGraphQLException(
                    $"Argument \"{definition.Name}\" has invalid value {Printer.Print(argument.Value)}.", argument.Value.Location.ToSource());
            }

            coerced[definition.Name] = value;
        }

        return coerced;
    }
}
