using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Verification.Silo.Tests.Readme;

/// <summary>One command of the README walk-through and the answer the README shows for it (null: not shown).</summary>
internal sealed record WalkthroughStep(string Command, string? Expected);

/// <summary>
/// Reads the walk-through out of the README itself: between <c>&lt;!-- walkthrough</c> and <c>&lt;!-- /walkthrough --&gt;</c>,
/// every <c>```sh</c> block is a command and the next non-sh block is its answer. Compares answers as a reader would: JSON
/// by value (key order free, numbers to 1e-9 relative), anything else line by line; <c>…</c> in the README stands for any text.
/// </summary>
internal static partial class ReadmeWalkthrough
{
    public static IReadOnlyList<WalkthroughStep> Parse(string readme)
    {
        var start = readme.IndexOf("<!-- walkthrough", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- /walkthrough -->", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException("The README has no <!-- walkthrough --> … <!-- /walkthrough --> section.");
        }

        var steps = new List<WalkthroughStep>();
        foreach (Match block in Fence().Matches(readme[start..end]))
        {
            var language = block.Groups["lang"].Value;
            var body = block.Groups["body"].Value;
            if (language == "sh")
            {
                steps.Add(new WalkthroughStep(body, null));
            }
            else if (steps.Count > 0 && steps[^1].Expected is null)
            {
                steps[^1] = steps[^1] with { Expected = body };
            }
        }

        return steps;
    }

    /// <summary>Null when <paramref name="actual"/> is what the README shows, else what differs.</summary>
    public static string? Difference(string expected, string actual)
    {
        if (TryParseJson(expected, out var expectedValues))
        {
            if (!TryParseJson(actual, out var actualValues))
            {
                return "the README shows JSON, the command printed something else";
            }

            if (expectedValues.Count != actualValues.Count)
            {
                return $"the README shows {expectedValues.Count} JSON values, the command printed {actualValues.Count}";
            }

            for (var i = 0; i < expectedValues.Count; i++)
            {
                if (JsonDifference(expectedValues[i], actualValues[i], "$") is { } difference)
                {
                    return difference;
                }
            }

            return null;
        }

        var expectedLines = expected.TrimEnd().Split('\n');
        var actualLines = actual.TrimEnd().Split('\n');
        if (expectedLines.Length != actualLines.Length)
        {
            return $"the README shows {expectedLines.Length} lines, the command printed {actualLines.Length}";
        }

        for (var i = 0; i < expectedLines.Length; i++)
        {
            if (!TextMatches(expectedLines[i].TrimEnd(), actualLines[i].TrimEnd()))
            {
                return $"line {i + 1}: the README shows '{expectedLines[i]}'";
            }
        }

        return null;
    }

    private static string? JsonDifference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: the README shows {expected.GetRawText()}, the command printed {actual.GetRawText()}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedNames = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualNames = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                if (!expectedNames.SequenceEqual(actualNames))
                {
                    return $"{path}: the README shows the fields {string.Join(", ", expectedNames)}, the command printed {string.Join(", ", actualNames)}";
                }

                foreach (var property in expected.EnumerateObject())
                {
                    if (JsonDifference(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    return $"{path}: the README shows {expected.GetArrayLength()} items, the command printed {actual.GetArrayLength()}";
                }

                var index = 0;
                foreach (var (e, a) in expected.EnumerateArray().Zip(actual.EnumerateArray()))
                {
                    if (JsonDifference(e, a, $"{path}[{index++}]") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Number:
                var x = expected.GetDouble();
                var y = actual.GetDouble();
                return Math.Abs(x - y) <= 1e-12 + (1e-9 * Math.Max(Math.Abs(x), Math.Abs(y)))
                    ? null
                    : $"{path}: the README shows {expected.GetRawText()}, the command printed {actual.GetRawText()}";
            case JsonValueKind.String:
                return TextMatches(expected.GetString()!, actual.GetString()!)
                    ? null
                    : $"{path}: the README shows \"{expected.GetString()}\", the command printed \"{actual.GetString()}\"";
            default:
                return null;
        }
    }

    /// <summary>Equal text, where every <c>…</c> of <paramref name="expected"/> stands for any text.</summary>
    private static bool TextMatches(string expected, string actual)
    {
        if (!expected.Contains('…', StringComparison.Ordinal))
        {
            return expected == actual;
        }

        var pattern = "^" + string.Join(".*?", expected.Split('…').Select(Regex.Escape)) + "$";
        return Regex.IsMatch(actual, pattern, RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
    }

    /// <summary>One or more JSON values one after the other (what <c>jq</c> prints); false when the text is not that.</summary>
    private static bool TryParseJson(string text, out List<JsonElement> values)
    {
        values = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            while (reader.Read())
            {
                using var document = JsonDocument.ParseValue(ref reader);
                values.Add(document.RootElement.Clone());
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return values.Count > 0;
    }

    [GeneratedRegex(@"^```(?<lang>\w*)\n(?<body>.*?)\n```$", RegexOptions.Multiline | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Fence();
}
