using Google.Protobuf;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Decodes OTLP/HTTP metrics bodies (binary protobuf or OTLP/JSON) into the generated messages.</summary>
internal static class OtlpDecoder
{
    /// <summary>
    /// OTLP/JSON is the protobuf JSON mapping with lowerCamelCase names, 64-bit integers as strings or
    /// numbers and enums as integers (OTLP specification, "JSON Protobuf Encoding"), which is what
    /// Google.Protobuf's parser accepts. Receivers must ignore unknown fields, which also covers the
    /// hex-encoded trace and span ids of exemplars: exemplars are not declared in our .proto files.
    /// </summary>
    private static readonly JsonParser Json = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Reads and decodes a request body; the content type picks protobuf (default) or JSON.</summary>
    public static async Task<ExportMetricsServiceRequest> DecodeAsync(
        Stream body, string? contentType, string? contentEncoding, int maxBodyBytes, long? contentLength,
        CancellationToken cancellationToken)
    {
        using var bytes = await BoundedBody.ReadAsync(body, contentEncoding, maxBodyBytes, contentLength, cancellationToken)
            .ConfigureAwait(false);
        return IsJson(contentType) ? DecodeJson(bytes.Span) : DecodeProtobuf(bytes.Span);
    }

    public static bool IsJson(string? contentType) =>
        contentType is not null && contentType.TrimStart().StartsWith("application/json", StringComparison.OrdinalIgnoreCase);

    public static ExportMetricsServiceRequest DecodeProtobuf(ReadOnlySpan<byte> body) =>
        ProtobufBody.Parse(ExportMetricsServiceRequest.Parser, body, "ExportMetricsServiceRequest");

    public static ExportMetricsServiceRequest DecodeJson(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (System.Text.DecoderFallbackException e)
        {
            throw new TelemetryDecodeException(TelemetryDecodeError.MalformedJson, "The JSON body is not valid UTF-8.", e);
        }

        try
        {
            return Json.Parse<ExportMetricsServiceRequest>(text);
        }
        catch (InvalidJsonException e)
        {
            throw new TelemetryDecodeException(TelemetryDecodeError.MalformedJson, $"The body is not valid OTLP/JSON: {e.Message}", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new TelemetryDecodeException(TelemetryDecodeError.MalformedJson, $"The body is not valid OTLP/JSON: {e.Message}", e);
        }
        catch (FormatException e)
        {
            // Base64 of bytes_value and numbers out of range surface as FormatException.
            throw new TelemetryDecodeException(TelemetryDecodeError.MalformedJson, $"The body is not valid OTLP/JSON: {e.Message}", e);
        }
    }
}
