namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Why a pushed telemetry body could not be decoded; the endpoint answers 400 with the message.</summary>
internal enum TelemetryDecodeError
{
    /// <summary>The body is larger than the configured limit (compressed or once decompressed).</summary>
    TooLarge,
    /// <summary>The body is not a valid protobuf message of the expected type.</summary>
    MalformedProtobuf,
    /// <summary>The body is not valid OTLP/JSON.</summary>
    MalformedJson,
    /// <summary>The body is not a valid snappy block.</summary>
    MalformedSnappy,
    /// <summary>The body is not a valid gzip stream.</summary>
    MalformedGzip,
    /// <summary>The content type or content encoding is not one the receiver speaks.</summary>
    UnsupportedEncoding,
}

/// <summary>
/// A body that could not be decoded. Thrown before anything is translated, so a rejected request
/// changes no state (decode fully, then translate).
/// </summary>
internal sealed class TelemetryDecodeException(TelemetryDecodeError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public TelemetryDecodeError Error { get; } = error;
}
