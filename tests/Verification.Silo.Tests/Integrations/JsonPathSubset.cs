using System.Globalization;
using System.Text.Json;

namespace Verification.Silo.Tests.Integrations;

/// <summary>
/// The part of JSONPath the recipes use, as the tools evaluate it: Argo Rollouts' Kubernetes-style <c>{$.a.b}</c>
/// (braces around the path) and Spinnaker's Jayway <c>$.a.b</c>; members by <c>.name</c> or <c>['name']</c>, array
/// elements by <c>[n]</c>. A missing member is an error, as in both tools.
/// </summary>
internal static class JsonPathSubset
{
    public static JsonElement Evaluate(JsonElement root, string path)
    {
        var text = path.Trim();
        if (text.StartsWith('{') && text.EndsWith('}'))
        {
            text = text[1..^1].Trim();
        }

        if (!text.StartsWith('$'))
        {
            throw new FormatException($"JSONPath '{path}' does not start at the root ($)");
        }

        var current = root;
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is not '.' and not '[')
                {
                    end++;
                }

                current = Member(current, text[(i + 1)..end], path);
                i = end;
            }
            else if (text[i] == '[')
            {
                var end = text.IndexOf(']', i);
                var inside = text[(i + 1)..end].Trim();
                current = inside.StartsWith('\'') || inside.StartsWith('"')
                    ? Member(current, inside[1..^1], path)
                    : current[int.Parse(inside, CultureInfo.InvariantCulture)];
                i = end + 1;
            }
            else
            {
                throw new FormatException($"JSONPath '{path}': unexpected '{text[i]}'");
            }
        }

        return current;
    }

    private static JsonElement Member(JsonElement element, string name, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new KeyNotFoundException($"JSONPath '{path}': no member '{name}'");
}
