using System.Text.Json;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Transport;

/// <summary>Reads the GraphQL-over-HTTP request parameters from a JSON object (POST body or WebSocket payload).</summary>
internal static class RequestReader
{
    public static GraphQLRequest? Read(JsonElement root, out string? error)
    {
        try
        {
            return ReadText(root, out error);
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid UTF-8 (raw bytes) or UTF-16 (an escaped lone surrogate): JsonDocument parses it and
            // only GetString finds out.
            error = "The request contains a string that is not valid Unicode text.";
            return null;
        }
    }

    private static GraphQLRequest? ReadText(JsonElement root, out string? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "The request body must be a JSON object.";
            return null;
        }

        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String)
        {
            error = "The request must contain a \"query\" string.";
            return null;
        }

        string? operationName = null;
        if (root.TryGetProperty("operationName", out var op) && op.ValueKind != JsonValueKind.Null)
        {
            if (op.ValueKind != JsonValueKind.String)
            {
                error = "\"operationName\" must be a string or null.";
                return null;
            }

            operationName = op.GetString();
        }

        var variables = ReadObject(root, "variables", ref error);
        var extensions = ReadObject(root, "extensions", ref error);
        return error is null ? new GraphQLRequest(query.GetString()!, operationName, variables, extensions) : null;
    }

    private static Dictionary<string, object?>? ReadObject(JsonElement root, string name, ref string? error)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error ??= $"\"{name}\" must be a JSON object or null.";
            return null;
        }

        return (Dictionary<string, object?>)ValueConversion.FromJson(value)!;
    }

    /// <summary>Reads a JSON object given as text in a query-string parameter (GET variables/extensions).</summary>
    public static Dictionary<string, object?>? ReadObjectText(string? text, string name, ref string? error)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error ??= $"\"{name}\" must be a JSON object.";
                return null;
            }

            return (Dictionary<string, object?>)ValueConversion.FromJson(document.RootElement)!;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            error ??= $"\"{name}\" is not valid JSON.";
            return null;
        }
    }
}
