using System.Collections;
using System.Globalization;
using System.Text;

namespace Verification.GraphQL.Types;

/// <summary>
/// Renders CLR values the way graphql-js's <c>inspect()</c> renders JavaScript values in error messages,
/// and formats doubles like ECMAScript Number::toString so messages and printed defaults agree.
/// </summary>
internal static class Inspect
{
    public static string Value(object? value, int depth = 0) => value switch
    {
        null => "null",
        string s => System.Text.Json.JsonSerializer.Serialize(s, JsonOptions),
        bool b => b ? "true" : "false",
        double d => Number(d),
        float f => Number(f),
        decimal m => Number((double)m),
        int or long or short or byte or uint or ulong or sbyte or ushort => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        IDictionary<string, object?> dict => depth > 2 ? "[Object]"
            : dict.Count == 0 ? "{}" : "{ " + string.Join(", ", dict.Select(kv => kv.Key + ": " + Value(kv.Value, depth + 1))) + " }",
        IEnumerable list => depth > 2 ? "[Array]" : "[" + string.Join(", ", list.Cast<object?>().Select(v => Value(v, depth + 1))) + "]",
        Enum e => e.ToString(),
        _ => value.ToString() ?? "null",
    };

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>ECMAScript Number::toString(x) (ECMA-262 §6.1.6.1.20) using the shortest round-trip digits.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return "0";
        }

        // Shortest digits: take the "R" form's mantissa digits and decimal exponent.
        var shortest = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        string digits;
        int exponent;
        var ePos = shortest.IndexOfAny(['E', 'e']);
        var mantissa = ePos >= 0 ? shortest[..ePos] : shortest;
        var exp10 = ePos >= 0 ? int.Parse(shortest[(ePos + 1)..], CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var all = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - all.Length;
        digits = all.TrimEnd('0');
        // n: position of the decimal point relative to the digit string (value = 0.digits × 10^n).
        exponent = intPart.Length - leadingZeros + exp10;
        var k = digits.Length;
        var n = exponent;
        var sb = new StringBuilder();
        if (value < 0)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(e >= 0 ? "+" : "-").Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
