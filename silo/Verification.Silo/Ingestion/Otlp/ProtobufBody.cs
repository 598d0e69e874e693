using Google.Protobuf;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Parses a whole protobuf body, turning every way a hostile body can fail the parser into a 400.</summary>
internal static class ProtobufBody
{
    /// <summary>
    /// Google.Protobuf reports most malformed input as <see cref="InvalidProtocolBufferException"/>, but a length
    /// prefix near 2^31 overflows its position arithmetic on a span and surfaces as an argument or overflow
    /// exception instead; either way the body is the sender's mistake, never a 500.
    /// </summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> body, string messageName)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(body);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException or OverflowException
            or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new TelemetryDecodeException(
                TelemetryDecodeError.MalformedProtobuf, $"The body is not a valid {messageName}: {e.Message}", e);
        }
    }
}
