using System.Text;

namespace Verification.GraphQL.Language;

/// <summary>Block string value computation (spec §2.9.4 BlockStringValue()) and printing.</summary>
internal static class BlockString
{
    /// <summary>
    /// BlockStringValue(rawValue): split into lines, remove the common indentation of all lines but the
    /// first (ignoring whitespace-only lines), drop leading and trailing blank lines, join with \n.
    /// </summary>
    public static string Dedent(string raw)
    {
        var lines = SplitLines(raw);
        var commonIndent = int.MaxValue;
        var first = -1;
        var last = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var indent = LeadingWhitespace(lines[i]);
            if (indent == lines[i].Length)
            {
                continue;
            }

            if (first < 0)
            {
                first = i;
            }

            last = i;
            if (i != 0 && indent < commonIndent)
            {
                commonIndent = indent;
            }
        }

        if (first < 0)
        {
            return string.Empty;
        }

        var result = new StringBuilder();
        for (var i = first; i <= last; i++)
        {
            if (i > first)
            {
                result.Append('\n');
            }

            var line = lines[i];
            result.Append(i == 0 || commonIndent == int.MaxValue ? line : line[Math.Min(commonIndent, line.Length)..]);
        }

        return result.ToString();
    }

    public static List<string> SplitLines(string value)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\n' || value[i] == '\r')
            {
                lines.Add(value[start..i]);
                if (value[i] == '\r' && i + 1 < value.Length && value[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        lines.Add(value[start..]);
        return lines;
    }

    private static int LeadingWhitespace(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>Whether a string survives a round trip through block-string syntax unchanged (no control
    /// characters, no leading/trailing blank lines, no common indentation), as graphql-js decides it.</summary>
    public static bool IsPrintable(string value)
    {
        if (value.Length == 0)
        {
            return true;
        }

        var isEmptyLine = true;
        var hasIndent = false;
        var hasCommonIndent = true;
        var seenNonEmptyLine = false;
        foreach (var c in value)
        {
            switch (c)
            {
                case '\n':
                    if (isEmptyLine && !seenNonEmptyLine)
                    {
                        return false;
                    }

                    seenNonEmptyLine = true;
                    isEmptyLine = true;
                    hasIndent = false;
                    break;
                case '\t':
                case ' ':
                    hasIndent |= isEmptyLine;
                    break;
                case < ' ':
                    return false;
                default:
                    hasCommonIndent &= hasIndent;
                    isEmptyLine = false;
                    break;
            }
        }

        return !isEmptyLine && !(hasCommonIndent && seenNonEmptyLine);
    }

    /// <summary>Prints a block string, adding leading/trailing newlines where that keeps the value intact or reads better.</summary>
    public static string Print(string value)
    {
        var escaped = value.Replace("\"\"\"", "\\\"\"\"", StringComparison.Ordinal);
        var lines = SplitLines(escaped);
        var isSingleLine = lines.Count == 1;
        var forceLeadingNewLine = lines.Count > 1 && lines.Skip(1).All(l => l.Length == 0 || l[0] is ' ' or '\t');
        var hasTrailingTripleQuotes = escaped.EndsWith("\\\"\"\"", StringComparison.Ordinal);
        var hasTrailingQuote = value.EndsWith('"') && !hasTrailingTripleQuotes;
        var hasTrailingSlash = value.EndsWith('\\');
        var forceTrailingNewLine = hasTrailingQuote || hasTrailingSlash;
        var multipleLines = !isSingleLine || value.Length > 70 || forceTrailingNewLine || forceLeadingNewLine || hasTrailingTripleQuotes;
        var skipLeadingNewLine = isSingleLine && value.Length > 0 && value[0] is ' ' or '\t';
        var result = new StringBuilder("\"\"\"");
        if ((multipleLines && !skipLeadingNewLine) || forceLeadingNewLine)
        {
            result.Append('\n');
        }

        result.Append(escaped);
        if (multipleLines || forceTrailingNewLine)
        {
            result.Append('\n');
        }

        return result.Append("\"\"\"").ToString();
    }

    /// <summary>Prints a quoted StringValue, escaping '"', '\' and control characters as graphql-js does.</summary>
    public static string PrintString(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ' or (>= '\u007f' and <= '\u009f'):
                    sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
