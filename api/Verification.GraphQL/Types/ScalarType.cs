using System.Globalization;
using Verification.GraphQL.Language;

namespace Verification.GraphQL.Types;

/// <summary>
/// A leaf type (spec §3.5). Built-in Int, Float, String, Boolean and ID follow the spec's result and input
/// coercion rules; custom scalars supply <c>serialize</c> (internal value → JSON-able value) and
/// <c>parseValue</c> (JSON-like input → internal value). Literals are converted to the same JSON-like
/// shape first (string, long, double, bool, list, dictionary) and then go through <c>parseValue</c>.
/// Callbacks signal invalid values by throwing; the exception message becomes the error message.
/// </summary>
public sealed class ScalarType : NamedType
{
    private readonly Func<object, object?> _serialize;
    private readonly Func<object, object?> _parseValue;
    private readonly Func<ValueNode, object?>? _parseLiteral;

    /// <summary>Defines a custom scalar.</summary>
    public ScalarType(
        string name,
        Func<object, object?> serialize,
        Func<object, object?> parseValue,
        string? description = null,
        string? specifiedByUrl = null)
        : base(name, description)
    {
        _serialize = serialize;
        _parseValue = parseValue;
        SpecifiedByUrl = specifiedByUrl;
    }

    private ScalarType(string name, string description, Func<object, object?> serialize, Func<object, object?> parseValue, Func<ValueNode, object?> parseLiteral)
        : base(name, description)
    {
        _serialize = serialize;
        _parseValue = parseValue;
        _parseLiteral = parseLiteral;
        IsBuiltIn = true;
    }

    /// <summary>URL of the scalar's specification (<c>@specifiedBy</c>, spec §3.13).</summary>
    public string? SpecifiedByUrl { get; }

    internal bool IsBuiltIn { get; }

    /// <summary>Result coercion: internal value → serialized value. Throws <see cref="GraphQLException"/> when it cannot.</summary>
    internal object? Serialize(object value)
    {
        try
        {
            return _serialize(value);
        }
        catch (Exception e) when (e is not GraphQLException and not OperationCanceledException)
        {
            throw new GraphQLException(e.Message, ErrorCodes.InvalidResult);
        }
    }

    /// <summary>Input coercion of a variable value (already JSON-shaped). Throws with a message on failure.</summary>
    internal object? ParseValue(object value) => _parseValue(value);

    /// <summary>Input coercion of a literal without variables. Throws with a message on failure.</summary>
    internal object? ParseLiteral(ValueNode node, IReadOnlyDictionary<string, object?>? variables) =>
        _parseLiteral is not null ? _parseLiteral(node) : _parseValue(ValueConversion.Untyped(node, variables)!);

    private const string IntDescription =
        "The `Int` scalar type represents non-fractional signed whole numeric values. Int can represent values between -(2^31) and 2^31 - 1.";

    private const string FloatDescription =
        "The `Float` scalar type represents signed double-precision fractional values as specified by "
        + "[IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).";

    private const string StringDescription =
        "The `String` scalar type represents textual data, represented as UTF-8 character sequences. "
        + "The String type is most often used by GraphQL to represent free-form human-readable text.";

    private const string BooleanDescription = "The `Boolean` scalar type represents `true` or `false`.";

    private const string IdDescription =
        "The `ID` scalar type represents a unique identifier, often used to refetch an object or as key for a cache. "
        + "The ID type appears in a JSON response as a String; however, it is not intended to be human-readable. "
        + "When expected as an input type, any string (such as `\"4\"`) or integer (such as `4`) input value will be accepted as an ID.";

    /// <summary>32-bit signed integer (spec §3.5.1).</summary>
    public static ScalarType Int { get; } = new("Int", IntDescription, SerializeInt, ParseIntValue, ParseIntLiteral);

    /// <summary>Double-precision float (spec §3.5.2).</summary>
    public static ScalarType Float { get; } = new("Float", FloatDescription, SerializeFloat, ParseFloatValue, ParseFloatLiteral);

    /// <summary>UTF-8 text (spec §3.5.3).</summary>
    public static ScalarType String { get; } = new("String", StringDescription, SerializeString, ParseStringValue, ParseStringLiteral);

    /// <summary>true/false (spec §3.5.4).</summary>
    public static ScalarType Boolean { get; } = new("Boolean", BooleanDescription, SerializeBoolean, ParseBooleanValue, ParseBooleanLiteral);

    /// <summary>Opaque identifier serialized as a string (spec §3.5.5).</summary>
    public static ScalarType ID { get; } = new("ID", IdDescription, SerializeId, ParseIdValue, ParseIdLiteral);

    internal static IReadOnlyList<ScalarType> Specified { get; } = [String, Int, Float, Boolean, ID];

    private static bool TryNumber(object value, out double number)
    {
        switch (value)
        {
            case int or long or short or byte or sbyte or uint or ulong or ushort:
                number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            case double d:
                number = d;
                return true;
            case float f:
                number = f;
                return true;
            case decimal m:
                number = (double)m;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    private static object SerializeInt(object value)
    {
        var number = value switch
        {
            bool b => b ? 1 : 0,
            string s when s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ when TryNumber(value, out var n) => n,
            _ => double.NaN,
        };
        if (double.IsNaN(number) || double.IsInfinity(number) || Math.Floor(number) != number)
        {
            throw new GraphQLException($"Int cannot represent non-integer value: {Inspect.Value(value)}", ErrorCodes.InvalidResult);
        }

        if (number > int.MaxValue || number < int.MinValue)
        {
            throw new GraphQLException($"Int cannot represent non 32-bit signed integer value: {Inspect.Value(value)}", ErrorCodes.InvalidResult);
        }

        return (int)number;
    }

    private static object ParseIntValue(object value)
    {
        if (!TryNumber(value, out var number) || Math.Floor(number) != number || double.IsInfinity(number))
        {
            throw new GraphQLException($"Int cannot represent non-integer value: {Inspect.Value(value)}", ErrorCodes.BadUserInput);
        }

        if (number > int.MaxValue || number < int.MinValue)
        {
            throw new GraphQLException($"Int cannot represent non 32-bit signed integer value: {Inspect.Value(value)}", ErrorCodes.BadUserInput);
        }

        return (int)number;
    }

    private static object ParseIntLiteral(ValueNode node)
    {
        if (node is not IntValueNode i)
        {
            throw new GraphQLException($"Int cannot represent non-integer value: {Printer.Print(node)}", ErrorCodes.BadUserInput);
        }

        if (!int.TryParse(i.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            throw new GraphQLException($"Int cannot represent non 32-bit signed integer value: {i.Value}", ErrorCodes.BadUserInput);
        }

        return result;
    }

    private static object SerializeFloat(object value)
    {
        var number = value switch
        {
            bool b => b ? 1 : 0,
            string s when s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ when TryNumber(value, out var n) => n,
            _ => double.NaN,
        };
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            throw new GraphQLException($"Float cannot represent non numeric value: {Inspect.Value(value)}", ErrorCodes.InvalidResult);
        }

        return number;
    }

    private static object ParseFloatValue(object value)
    {
        if (!TryNumber(value, out var number) || double.IsInfinity(number) || double.IsNaN(number))
        {
            throw new GraphQLException($"Float cannot represent non numeric value: {Inspect.Value(value)}", ErrorCodes.BadUserInput);
        }

        return number;
    }

    private static object ParseFloatLiteral(ValueNode node) => node switch
    {
        IntValueNode i => double.Parse(i.Value, NumberStyles.Float, CultureInfo.InvariantCulture),
        FloatValueNode f => double.Parse(f.Value, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new GraphQLException($"Float cannot represent non numeric value: {Printer.Print(node)}", ErrorCodes.BadUserInput),
    };

    private static object SerializeString(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d when !double.IsNaN(d) && !double.IsInfinity(d) => Inspect.Number(d),
        _ when TryNumber(value, out var n) && !double.IsNaN(n) && !double.IsInfinity(n) => Inspect.Number(n),
        _ => throw new GraphQLException($"String cannot represent value: {Inspect.Value(value)}", ErrorCodes.InvalidResult),
    };

    private static object ParseStringValue(object value) => value as string
        ?? throw new GraphQLException($"String cannot represent a non string value: {Inspect.Value(value)}", ErrorCodes.BadUserInput);

    private static object ParseStringLiteral(ValueNode node) => node is StringValueNode s
        ? s.Value
        : throw new GraphQLException($"String cannot represent a non string value: {Printer.Print(node)}", ErrorCodes.BadUserInput);

    private static object SerializeBoolean(object value) => value switch
    {
        bool b => b,
        _ when TryNumber(value, out var n) && !double.IsNaN(n) && !double.IsInfinity(n) => n != 0,
        _ => throw new GraphQLException($"Boolean cannot represent a non boolean value: {Inspect.Value(value)}", ErrorCodes.InvalidResult),
    };

    private static object ParseBooleanValue(object value) => value as bool?
        ?? throw new GraphQLException($"Boolean cannot represent a non boolean value: {Inspect.Value(value)}", ErrorCodes.BadUserInput);

    private static object ParseBooleanLiteral(ValueNode node) => node is BooleanValueNode b
        ? b.Value
        : throw new GraphQLException($"Boolean cannot represent a non boolean value: {Printer.Print(node)}", ErrorCodes.BadUserInput);

    private static object SerializeId(object value) => value switch
    {
        string s => s,
        Guid g => g.ToString(),
        _ when TryNumber(value, out var n) && Math.Floor(n) == n && !double.IsInfinity(n) => Inspect.Number(n),
        _ => throw new GraphQLException($"ID cannot represent value: {Inspect.Value(value)}", ErrorCodes.InvalidResult),
    };

    private static object ParseIdValue(object value) => value switch
    {
        string s => s,
        _ when TryNumber(value, out var n) && Math.Floor(n) == n && !double.IsInfinity(n) => Inspect.Number(n),
        _ => throw new GraphQLException($"ID cannot represent value: {Inspect.Value(value)}", ErrorCodes.BadUserInput),
    };

    private static object ParseIdLiteral(ValueNode node) => node switch
    {
        StringValueNode s => s.Value,
        IntValueNode i => i.Value,
        _ => throw new GraphQLException($"ID cannot represent a non-string and non-integer value: {Printer.Print(node)}", ErrorCodes.BadUserInput),
    };
}
