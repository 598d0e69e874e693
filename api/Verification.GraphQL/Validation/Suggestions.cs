namespace Verification.GraphQL.Validation;

/// <summary>"Did you mean …?" hints: candidates within a lexical distance of 40 % of the input (graphql-js suggestionList).</summary>
internal static class Suggestions
{
    private const int MaxSuggestions = 5;

    public static List<string> List(string input, IEnumerable<string> options)
    {
        var threshold = (int)Math.Floor(input.Length * 0.4) + 1;
        var lowered = input.ToLowerInvariant();
        var scored = new List<(string Option, int Distance)>();
        foreach (var option in options)
        {
            int distance;
            if (option == input)
            {
                distance = 0;
            }
            else if (option.ToLowerInvariant() == lowered)
            {
                distance = 1;
            }
            else if (Math.Abs(option.Length - input.Length) > threshold)
            {
                continue;
            }
            else
            {
                distance = Distance(lowered, option.ToLowerInvariant());
                if (distance > threshold)
                {
                    continue;
                }
            }

            scored.Add((option, distance));
        }

        return scored.OrderBy(s => s.Distance).ThenBy(s => s.Option, StringComparer.Ordinal).Select(s => s.Option).ToList();
    }

    /// <summary>Optimal string alignment distance (Levenshtein with adjacent transpositions).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }

                d[i, j] = value;
            }
        }

        return d[a.Length, b.Length];
    }

    public static string DidYouMean(IReadOnlyList<string> suggestions, string? subMessage = null)
    {
        if (suggestions.Count == 0)
        {
            return string.Empty;
        }

        var message = " Did you mean " + (subMessage is null ? string.Empty : subMessage + " ");
        var quoted = suggestions.Take(MaxSuggestions).Select(s => $"\"{s}\"").ToList();
        return quoted.Count switch
        {
            1 => message + quoted[0] + "?",
            2 => message + quoted[0] + " or " + quoted[1] + "?",
            _ => message + string.Join(", ", quoted.Take(quoted.Count - 1)) + ", or " + quoted[^1] + "?",
        };
    }
}
