using System.Globalization;
using System.Text.Json;

namespace Verification.Silo.Tests.Integrations;

/// <summary>
/// The part of Argo Rollouts' condition language (expr-lang) the recipe uses, with its semantics: the variable
/// <c>result</c>, string literals in single or double quotes, numbers, <c>true</c>/<c>false</c>, <c>==</c>, <c>!=</c>,
/// <c>&amp;&amp;</c>, <c>||</c>, <c>!</c> and parentheses; <c>==</c> compares values of the same type (a string never
/// equals a number). Anything else is rejected, so the recipe cannot drift past what this evaluates faithfully.
/// </summary>
internal sealed class ArgoCondition
{
    private readonly List<string> _tokens;
    private readonly object? _result;
    private int _position;

    private ArgoCondition(string expression, object? result)
    {
        _tokens = Tokenize(expression);
        _result = result;
    }

    /// <summary>The value Argo's web provider assigns to <c>result</c>: the JSON a jsonPath selects, decoded (strings stay strings).</summary>
    public static object? Result(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    public static bool Evaluate(string expression, object? result)
    {
        var parser = new ArgoCondition(expression, result);
        var value = parser.Or();
        if (parser._position != parser._tokens.Count)
        {
            throw new FormatException($"unexpected '{parser._tokens[parser._position]}' in '{expression}'");
        }

        return value is bool b ? b : throw new FormatException($"'{expression}' is not a boolean expression");
    }

    private object? Or()
    {
        var left = And();
        while (Accept("||"))
        {
            var right = And();
            left = (bool)left! || (bool)right!;
        }

        return left;
    }

    private object? And()
    {
        var left = Comparison();
        while (Accept("&&"))
        {
            var right = Comparison();
            left = (bool)left! && (bool)right!;
        }

        return left;
    }

    private object? Comparison()
    {
        var left = Unary();
        if (Accept("=="))
        {
            return Equals(left, Unary());
        }

        if (Accept("!="))
        {
            return !Equals(left, Unary());
        }

        return left;
    }

    private object? Unary()
    {
        if (Accept("!"))
        {
            return !(bool)Unary()!;
        }

        if (Accept("("))
        {
            var inner = Or();
            Expect(")");
            return inner;
        }

        var token = _tokens[_position++];
        return token switch
        {
            "result" => _result,
            "true" => true,
            "false" => false,
            _ when token[0] is '\'' or '"' => token[1..^1],
            _ when double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => number,
            _ => throw new FormatException($"unsupported token '{token}'"),
        };
    }

    private bool Accept(string token)
    {
        if (_position < _tokens.Count && _tokens[_position] == token)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!Accept(token))
        {
            throw new FormatException($"expected '{token}'");
        }
    }

    private static List<string> Tokenize(string expression)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = expression.IndexOf(c, i + 1);
                tokens.Add(expression[i..(end + 1)]);
                i = end + 1;
            }
            else if (i + 1 < expression.Length && expression.Substring(i, 2) is "==" or "!=" or "&&" or "||")
            {
                tokens.Add(expression.Substring(i, 2));
                i += 2;
            }
            else if (c is '!' or '(' or ')')
            {
                tokens.Add(c.ToString());
                i++;
            }
            else
            {
                var end = i;
                while (end < expression.Length && (char.IsLetterOrDigit(expression[end]) || expression[end] is '.' or '_'))
                {
                    end++;
                }

                if (end == i)
                {
                    throw new FormatException($"unsupported character '{c}' in '{expression}'");
                }

                tokens.Add(expression[i..end]);
                i = end;
            }
        }

        return tokens;
    }
}
