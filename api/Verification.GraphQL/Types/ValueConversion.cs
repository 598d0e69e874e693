using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verification.GraphQL.Language;

namespace Verification.GraphQL.Types;

/// <summary>Conversions between literals, JSON-shaped values and CLR values that are not coercion proper.</summary>
internal static partial class ValueConversion
{
    private static readonly JsonSerializerOptions ConvertOptions = new(JsonSerializerDefaults.Web);

    /// <summary>A literal as a JSON-like value without a type (graphql-js valueFromASTUntyped).</summary>
    public static object? Untyped(ValueNode node, IReadOnlyDictionary<string, object?>? variables) => node switch
    {
        NullValueNode => null,
        IntValueNode i => long.TryParse(i.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            ? l : double.Parse(i.Value, CultureInfo.InvariantCulture),
        FloatValueNode f => double.Parse(f.Value, NumberStyles.Float, CultureInfo.InvariantCulture),
        StringValueNode s => s.Value,
        EnumValueNode e => e.Value,
        BooleanValueNode b => b.Value,
        ListValueNode list => list.Values.Select(v => Untyped(v, variables)).ToList(),
        ObjectValueNode obj => obj.Fields.ToDictionary(f => f.Name.Value, f => Untyped(f.Value, variables)),
        VariableNode v => variables?.GetValueOrDefault(v.Name.Value),
        _ => null,
    };

    /// <summary>A JSON document element as a JSON-like CLR value (long/double, string, bool, list, dictionary).</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => ObjectFromJson(element),
        _ => null,
    };

    private static Dictionary<string, object?> ObjectFromJson(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            result[property.Name] = FromJson(property.Value);
        }

        return result;
    }

    /// <summary>Converts a coerced value to a CLR type for <see cref="ResolveFieldContext.GetArgument{T}"/>.</summary>
    public static T ConvertTo<T>(object value)
    {
        if (value is T typed)
        {
            return typed;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (target == typeof(string))
        {
            return (T)(object)(value is double d ? Inspect.Number(d) : Convert.ToString(value, CultureInfo.InvariantCulture)!);
        }

        if (target.IsEnum && value is string name)
        {
            return (T)Enum.Parse(target, name.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        }

        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(target) && !target.IsEnum && target != typeof(string))
        {
            return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }

        // Lists, input objects and anything else: round-trip through JSON (web defaults: camelCase, case-insensitive).
        return JsonSerializer.SerializeToElement(value, ConvertOptions).Deserialize<T>(ConvertOptions)!;
    }

    /// <summary>
    /// astFromValue: an internal input value as a literal of <paramref name="type"/>, used for printing
    /// default values in SDL and introspection. Returns null when the value cannot be represented.
    /// </summary>
    public static ValueNode? AstFromValue(object? value, IGraphType type)
    {
        if (type is NonNullType nonNull)
        {
            var inner = AstFromValue(value, nonNull.OfType);
            return inner is NullValueNode ? null : inner;
        }

        if (value is null)
        {
            return new NullValueNode();
        }

        if (type is ListType list)
        {
            if (value is IEnumerable items and not string and not IDictionary)
            {
                var nodes = new List<ValueNode>();
                foreach (var item in items)
                {
                    var node = AstFromValue(item, list.OfType);
                    if (node is not null)
                    {
                        nodes.Add(node);
                    }
                }

                return new ListValueNode(nodes);
            }

            return AstFromValue(value, list.OfType);
        }

        if (type is InputObjectType inputObject)
        {
            if (value is not IDictionary<string, object?> dict)
            {
                return null;
            }

            var fields = new List<ObjectFieldNode>();
            foreach (var field in inputObject.Fields)
            {
                if (dict.TryGetValue(field.Name, out var fieldValue))
                {
                    var node = AstFromValue(fieldValue, field.Type);
                    if (node is not null)
                    {
                        fields.Add(new ObjectFieldNode(new NameNode(field.Name), node));
                    }
                }
            }

            return new ObjectValueNode(fields);
        }

        object? serialized = type switch
        {
            EnumType e => e.FindByValue(value)?.Name,
            ScalarType s => s.Serialize(value),
            _ => null,
        };
        switch (serialized)
        {
            case null:
                return null;
            case bool b:
                return new BooleanValueNode(b);
            case string str when type is EnumType:
                return new EnumValueNode(str);
            case string str when ReferenceEquals(type, ScalarType.ID) && IntegerRegex().IsMatch(str):
                return new IntValueNode(str);
            case string str:
                return new StringValueNode(str, false);
            case int or long or short or byte:
                return new IntValueNode(Convert.ToString(serialized, CultureInfo.InvariantCulture)!);
            case double or float or decimal:
                {
                    var text = Inspect.Number(Convert.ToDouble(serialized, CultureInfo.InvariantCulture));
                    return IntegerRegex().IsMatch(text) ? new IntValueNode(text) : new FloatValueNode(text);
                }

            case IDictionary<string, object?> or IList:
                return UntypedLiteral(serialized);
            default:
                return new StringValueNode(serialized.ToString() ?? string.Empty, false);
        }
    }

    private static ValueNode UntypedLiteral(object? value) => value switch
    {
        null => new NullValueNode(),
        bool b => new BooleanValueNode(b),
        string s => new StringValueNode(s, false),
        int or long => new IntValueNode(Convert.ToString(value, CultureInfo.InvariantCulture)!),
        double d => new FloatValueNode(Inspect.Number(d)),
        IDictionary<string, object?> dict => new ObjectValueNode(
            dict.Select(kv => new ObjectFieldNode(new NameNode(kv.Key), UntypedLiteral(kv.Value))).ToList()),
        IEnumerable list => new ListValueNode(list.Cast<object?>().Select(UntypedLiteral).ToList()),
        _ => new StringValueNode(value.ToString() ?? string.Empty, false),
    };

    [GeneratedRegex("^-?(?:0|[1-9][0-9]*)$")]
    private static partial Regex IntegerRegex();
}
