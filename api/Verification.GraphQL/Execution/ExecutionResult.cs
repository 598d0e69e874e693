using System.Collections;
using System.Text;
using System.Text.Json;
using Verification.GraphQL.Execution;

namespace Verification.GraphQL;

/// <summary>A GraphQL request (GraphQL over HTTP: <c>query</c>, <c>operationName</c>, <c>variables</c>, <c>extensions</c>).</summary>
/// <param name="Query">The document text.</param>
/// <param name="OperationName">Which operation to run when the document has several.</param>
/// <param name="Variables">Variable values as JSON-like CLR values (string, long/int/double, bool, lists, dictionaries).</param>
/// <param name="Extensions">Protocol extensions (unused by the engine).</param>
public sealed record GraphQLRequest(
    string Query,
    string? OperationName = null,
    IReadOnlyDictionary<string, object?>? Variables = null,
    IReadOnlyDictionary<string, object?>? Extensions = null);

/// <summary>Per-request inputs the resolvers see: services, shared user state and the root value.</summary>
public sealed record GraphQLRequestContext(
    IServiceProvider? Services = null,
    IDictionary<string, object?>? UserContext = null,
    object? RootValue = null);

/// <summary>
/// The response of spec §7.1: <c>data</c> (absent for request errors, null when a non-null root field failed)
/// then <c>errors</c> when there are any.
/// </summary>
public sealed class ExecutionResult
{
    internal ExecutionResult(object? data, bool hasData, IReadOnlyList<GraphQLError> errors)
    {
        Data = data;
        HasData = hasData;
        Errors = errors;
    }

    internal static ExecutionResult RequestError(IReadOnlyList<GraphQLError> errors) => new(null, false, errors);

    /// <summary>The data tree (ordered maps, lists and scalars) or null.</summary>
    internal object? Data { get; }

    /// <summary>False for request errors (parse, validation, variables, operation selection): no <c>data</c> entry.</summary>
    public bool HasData { get; }

    /// <summary>Errors, empty when none.</summary>
    public IReadOnlyList<GraphQLError> Errors { get; }

    /// <summary>How every answer is written: human text unescaped (<c>'errors'</c>, <c>+12 %</c>), still valid JSON.</summary>
    internal static JsonWriterOptions WriterOptions { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serializes the response as JSON.</summary>
    public string ToJson(bool includeRuleNames = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteTo(writer, includeRuleNames);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the response object to <paramref name="writer"/>.</summary>
    public void WriteTo(Utf8JsonWriter writer, bool includeRuleNames = false)
    {
        writer.WriteStartObject();
        if (HasData)
        {
            writer.WritePropertyName("data");
            WriteValue(writer, Data);
        }

        if (Errors.Count > 0)
        {
            writer.WritePropertyName("errors");
            writer.WriteStartArray();
            foreach (var error in Errors)
            {
                WriteError(writer, error, includeRuleNames);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    internal static void WriteError(Utf8JsonWriter writer, GraphQLError error, bool includeRuleNames)
    {
        writer.WriteStartObject();
        writer.WriteString("message", error.Message);
        if (error.Locations.Count > 0)
        {
            writer.WritePropertyName("locations");
            writer.WriteStartArray();
            foreach (var location in error.Locations)
            {
                writer.WriteStartObject();
                writer.WriteNumber("line", location.Line);
                writer.WriteNumber("column", location.Column);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (error.Path is not null)
        {
            writer.WritePropertyName("path");
            writer.WriteStartArray();
            foreach (var key in error.Path)
            {
                if (key is int i)
                {
                    writer.WriteNumberValue(i);
                }
                else
                {
                    writer.WriteStringValue(key.ToString());
                }
            }

            writer.WriteEndArray();
        }

        if (error.Extensions is not null || (includeRuleNames && error.Rule is not null))
        {
            writer.WritePropertyName("extensions");
            writer.WriteStartObject();
            if (error.Extensions is not null)
            {
                foreach (var (key, value) in error.Extensions)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, value);
                }
            }

            if (includeRuleNames && error.Rule is not null)
            {
                writer.WriteString("rule", error.Rule);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>Doubles are written as JavaScript's JSON.stringify writes them (1e+21, 1.5e-7), so responses
    /// match graphql-js byte for byte; non-finite values have no JSON form and become null.</summary>
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteRawValue(Types.Inspect.Number(value), skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    internal static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case float f:
                WriteDouble(writer, f);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case ResultMap map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IDictionary<string, object?> dict:
                writer.WriteStartObject();
                foreach (var (key, item) in dict)
                {
                    writer.WritePropertyName(key);
                    WriteValue(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            default:
                JsonSerializer.Serialize(writer, value, value.GetType());
                break;
        }
    }
}
