using Google.Protobuf;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>The OTLP/HTTP answer in the encoding of the request (OTLP specification, "OTLP/HTTP Response").</summary>
internal static class OtlpHttp
{
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    /// <summary>JsonFormatter writes lowerCamelCase names and int64 as strings, as OTLP/JSON requires.</summary>
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    /// <summary>The response body and its content type; JSON when the request was JSON.</summary>
    public static (byte[] Body, string ContentType) EncodeResponse(ExportMetricsServiceResponse response, string? requestContentType)
    {
        ArgumentNullException.ThrowIfNull(response);
        return OtlpDecoder.IsJson(requestContentType)
            ? (System.Text.Encoding.UTF8.GetBytes(Json.Format(response)), JsonContentType)
            : (response.ToByteArray(), ProtobufContentType);
    }
}
