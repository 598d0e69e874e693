using System.Globalization;
using System.Text;

namespace Verification.GraphQL.Language;

/// <summary>
/// The lexical grammar of spec §2.1: skips ignored tokens (BOM, whitespace, line terminators,
/// comments, commas) and produces punctuators, names, numbers and strings one at a time.
/// </summary>
internal sealed class Lexer
{
    private readonly string _source;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string source)
    {
        _source = source;
    }

    public string Source => _source;

    /// <summary>A copy at the same position, for one-token lookahead.</summary>
    public Lexer Fork() => (Lexer)MemberwiseClone();

    /// <summary>Reads the next significant token (spec §2.1.1–§2.1.6).</summary>
    public Token Next()
    {
        SkipIgnored();
        var start = _position;
        var column = start - _lineStart + 1;
        if (start >= _source.Length)
        {
            return new Token(TokenKind.EndOfFile, start, start, _line, column, null);
        }

        var c = _source[start];
        switch (c)
        {
            case '!': return Punct(TokenKind.Bang, 1);
            case '$': return Punct(TokenKind.Dollar, 1);
            case '&': return Punct(TokenKind.Amp, 1);
            case '(': return Punct(TokenKind.ParenL, 1);
            case ')': return Punct(TokenKind.ParenR, 1);
            case ':': return Punct(TokenKind.Colon, 1);
            case '=': return Punct(TokenKind.EqualsSign, 1);
            case '@': return Punct(TokenKind.At, 1);
            case '[': return Punct(TokenKind.BracketL, 1);
            case ']': return Punct(TokenKind.BracketR, 1);
            case '{': return Punct(TokenKind.BraceL, 1);
            case '|': return Punct(TokenKind.Pipe, 1);
            case '}': return Punct(TokenKind.BraceR, 1);
            case '.':
                if (At(start + 1) == '.' && At(start + 2) == '.')
                {
                    return Punct(TokenKind.Spread, 3);
                }

                break;
            case '"':
                return At(start + 1) == '"' && At(start + 2) == '"' ? ReadBlockString(start, column) : ReadString(start, column);
            default:
                if (IsNameStart(c))
                {
                    return ReadName(start, column);
                }

                if (c == '-' || IsDigit(c))
                {
                    return ReadNumber(start, column);
                }

                break;
        }

        throw Error(start, c == '\'' ? "Unexpected single quote character ('), did you mean to use a double quote (\")?"
            : $"Unexpected character: {PrintCodePoint(start)}.");

        Token Punct(TokenKind kind, int length)
        {
            _position += length;
            return new Token(kind, start, start + length, _line, column, null);
        }
    }

    private char At(int index) => index < _source.Length ? _source[index] : '\0';

    private bool HasAt(int index) => index < _source.Length;

    private void SkipIgnored()
    {
        while (_position < _source.Length)
        {
            var c = _source[_position];
            switch (c)
            {
                case '\uFEFF':
                case '\t':
                case ' ':
                case ',':
                    _position++;
                    break;
                case '\n':
                    _position++;
                    NewLine();
                    break;
                case '\r':
                    _position += At(_position + 1) == '\n' ? 2 : 1;
                    NewLine();
                    break;
                case '#':
                    // Spec §2.1.4: a comment runs to the end of the line.
                    while (_position < _source.Length && _source[_position] is not '\n' and not '\r')
                    {
                        _position++;
                    }

                    break;
                default:
                    return;
            }
        }
    }

    private void NewLine()
    {
        _line++;
        _lineStart = _position;
    }

    private Token ReadName(int start, int column)
    {
        var end = start + 1;
        while (end < _source.Length && IsNameContinue(_source[end]))
        {
            end++;
        }

        _position = end;
        return new Token(TokenKind.Name, start, end, _line, column, _source[start..end]);
    }

    /// <summary>IntValue / FloatValue (spec §2.9.1, §2.9.2), including the lookahead restrictions that forbid a
    /// digit after a leading zero and a '.' or NameStart directly after a number.</summary>
    private Token ReadNumber(int start, int column)
    {
        var pos = start;
        var isFloat = false;
        if (At(pos) == '-')
        {
            pos++;
        }

        if (At(pos) == '0')
        {
            pos++;
            if (IsDigit(At(pos)))
            {
                throw Error(pos, $"Invalid number, unexpected digit after 0: {PrintCodePoint(pos)}.");
            }
        }
        else
        {
            pos = ReadDigits(pos);
        }

        if (At(pos) == '.')
        {
            isFloat = true;
            pos = ReadDigits(pos + 1);
        }

        if (At(pos) is 'e' or 'E')
        {
            isFloat = true;
            pos++;
            if (At(pos) is '+' or '-')
            {
                pos++;
            }

            pos = ReadDigits(pos);
        }

        if (HasAt(pos) && (At(pos) == '.' || IsNameStart(At(pos))))
        {
            throw Error(pos, $"Invalid number, expected digit but got: {PrintCodePoint(pos)}.");
        }

        _position = pos;
        return new Token(isFloat ? TokenKind.Float : TokenKind.Int, start, pos, _line, column, _source[start..pos]);
    }

    private int ReadDigits(int pos)
    {
        if (!IsDigit(At(pos)) || !HasAt(pos))
        {
            throw Error(pos, $"Invalid number, expected digit but got: {PrintCodePoint(pos)}.");
        }

        while (IsDigit(At(pos)))
        {
            pos++;
        }

        return pos;
    }

    /// <summary>StringValue with escapes (spec §2.9.4), including <c>\u{...}</c> and surrogate pairs.</summary>
    private Token ReadString(int start, int column)
    {
        var pos = start + 1;
        var chunkStart = pos;
        StringBuilder? value = null;
        while (pos < _source.Length)
        {
            var c = _source[pos];
            if (c == '"')
            {
                var text = value is null ? _source[chunkStart..pos] : value.Append(_source, chunkStart, pos - chunkStart).ToString();
                _position = pos + 1;
                return new Token(TokenKind.String, start, pos + 1, _line, column, text);
            }

            if (c == '\\')
            {
                value ??= new StringBuilder();
                value.Append(_source, chunkStart, pos - chunkStart);
                pos = ReadEscape(pos, value);
                chunkStart = pos;
                continue;
            }

            if (c is '\n' or '\r')
            {
                break;
            }

            if (!IsSourceCharacter(pos))
            {
                throw Error(pos, $"Invalid character within String: {PrintCodePoint(pos)}.");
            }

            pos += char.IsHighSurrogate(c) ? 2 : 1;
        }

        throw Error(pos, "Unterminated string.");
    }

    private int ReadEscape(int pos, StringBuilder value)
    {
        var c = At(pos + 1);
        switch (c)
        {
            case '"': value.Append('"'); return pos + 2;
            case '\\': value.Append('\\'); return pos + 2;
            case '/': value.Append('/'); return pos + 2;
            case 'b': value.Append('\b'); return pos + 2;
            case 'f': value.Append('\f'); return pos + 2;
            case 'n': value.Append('\n'); return pos + 2;
            case 'r': value.Append('\r'); return pos + 2;
            case 't': value.Append('\t'); return pos + 2;
            case 'u':
                return At(pos + 2) == '{' ? ReadVariableWidthEscape(pos, value) : ReadFixedWidthEscape(pos, value);
            default:
                var end = Math.Min(pos + 2, _source.Length);
                throw Error(pos, $"Invalid character escape sequence: \"{_source[pos..end]}\".");
        }
    }

    private int ReadVariableWidthEscape(int pos, StringBuilder value)
    {
        // \u{...}: up to 8 hex digits then '}' (positions pos+3 … pos+11), the value a Unicode scalar value.
        long point = 0;
        var i = pos + 3;
        var end = pos + 12;
        while (i < pos + 12)
        {
            var c = At(i);
            if (c == '}' && i < _source.Length)
            {
                if (i > pos + 3 && IsUnicodeScalar(point))
                {
                    value.Append(char.ConvertFromUtf32((int)point));
                    return i + 1;
                }

                end = i + 1;
                break;
            }

            var digit = i < _source.Length ? HexValue(c) : -1;
            if (digit < 0)
            {
                end = i + 1;
                break;
            }

            point = (point << 4) | (long)digit;
            i++;
        }

        throw Error(pos, $"Invalid Unicode escape sequence: \"{_source[pos..Math.Min(end, _source.Length)]}\".");
    }

    private int ReadFixedWidthEscape(int pos, StringBuilder value)
    {
        var point = ReadHex4(pos + 2);
        if (point >= 0 && IsUnicodeScalar(point))
        {
            value.Append((char)point);
            return pos + 6;
        }

        // A leading surrogate escape followed by a trailing surrogate escape is one code point (spec §2.9.4).
        if (point >= 0xD800 && point <= 0xDBFF && At(pos + 6) == '\\' && At(pos + 7) == 'u')
        {
            var trailing = ReadHex4(pos + 8);
            if (trailing >= 0xDC00 && trailing <= 0xDFFF)
            {
                value.Append((char)point).Append((char)trailing);
                return pos + 12;
            }
        }

        var end = Math.Min(pos + 6, _source.Length);
        throw Error(pos, $"Invalid Unicode escape sequence: \"{_source[pos..end]}\".");
    }

    private int ReadHex4(int pos)
    {
        if (pos + 4 > _source.Length)
        {
            return -1;
        }

        var result = 0;
        for (var i = 0; i < 4; i++)
        {
            var digit = HexValue(_source[pos + i]);
            if (digit < 0)
            {
                return -1;
            }

            result = (result << 4) | digit;
        }

        return result;
    }

    /// <summary>BlockString (spec §2.9.4): raw lines with only <c>\"""</c> escaped, then BlockStringValue() dedent.</summary>
    private Token ReadBlockString(int start, int column)
    {
        var startLine = _line;
        var pos = start + 3;
        var chunkStart = pos;
        var raw = new StringBuilder();
        while (pos < _source.Length)
        {
            var c = _source[pos];
            if (c == '"' && At(pos + 1) == '"' && At(pos + 2) == '"')
            {
                raw.Append(_source, chunkStart, pos - chunkStart);
                _position = pos + 3;
                return new Token(TokenKind.BlockString, start, pos + 3, startLine, column, BlockString.Dedent(raw.ToString()));
            }

            if (c == '\\' && At(pos + 1) == '"' && At(pos + 2) == '"' && At(pos + 3) == '"')
            {
                raw.Append(_source, chunkStart, pos - chunkStart).Append("\"\"\"");
                pos += 4;
                chunkStart = pos;
                continue;
            }

            if (c is '\n' or '\r')
            {
                pos += c == '\r' && At(pos + 1) == '\n' ? 2 : 1;
                _position = pos;
                NewLine();
                continue;
            }

            if (!IsSourceCharacter(pos))
            {
                throw Error(pos, $"Invalid character within String: {PrintCodePoint(pos)}.");
            }

            pos += char.IsHighSurrogate(c) ? 2 : 1;
        }

        throw Error(pos, "Unterminated string.");
    }

    private bool IsSourceCharacter(int pos)
    {
        var c = _source[pos];
        if (c < 0x20 && c != '\t')
        {
            return false;
        }

        if (char.IsHighSurrogate(c))
        {
            return char.IsLowSurrogate(At(pos + 1));
        }

        return !char.IsLowSurrogate(c);
    }

    private string PrintCodePoint(int pos)
    {
        if (pos >= _source.Length)
        {
            return "<EOF>";
        }

        var c = _source[pos];
        if (c is >= ' ' and <= '~')
        {
            return c == '"' ? "'\"'" : $"\"{c}\"";
        }

        var point = char.IsHighSurrogate(c) && char.IsLowSurrogate(At(pos + 1)) ? char.ConvertToUtf32(c, _source[pos + 1]) : c;
        return "U+" + point.ToString("X4", CultureInfo.InvariantCulture);
    }

    /// <summary>Builds a syntax error at a source offset, computing line/column by scanning from the last known line start.</summary>
    private GraphQLSyntaxException Error(int pos, string description) => new(description, LocationOf(_source, pos));

    public static SourceLocation LocationOf(string source, int pos)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < pos && i < source.Length; i++)
        {
            var c = source[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= source.Length || source[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
            else if (c == '\r')
            {
                // \r\n: count the line at the \n.
            }
        }

        return new SourceLocation(line, pos - lineStart + 1);
    }

    private static bool IsUnicodeScalar(long point) => point is >= 0 and <= 0xD7FF or >= 0xE000 and <= 0x10FFFF;

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static bool IsDigit(char c) => c is >= '0' and <= '9';

    internal static bool IsNameStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    internal static bool IsNameContinue(char c) => IsNameStart(c) || IsDigit(c);
}
