using IronSnappy;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Protos.Prometheus;

namespace Verification.Silo.Ingestion.RemoteWrite;

/// <summary>
/// Decodes Prometheus remote-write 1.0 bodies: a <c>prometheus.WriteRequest</c> compressed with the
/// snappy block format (not the framed format), per the remote-write 1.0 specification.
/// </summary>
internal static class RemoteWriteDecoder
{
    public static async Task<WriteRequest> DecodeAsync(
        Stream body, string? contentEncoding, int maxBodyBytes, long? contentLength, CancellationToken cancellationToken)
    {
        var encoding = contentEncoding?.Trim();
        if (!string.IsNullOrEmpty(encoding) && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            throw new TelemetryDecodeException(
                TelemetryDecodeError.UnsupportedEncoding, $"Content-Encoding '{encoding}' is not supported (remote write uses snappy).");
        }

        using var compressed = await BoundedBody.ReadAsync(body, contentEncoding: null, maxBodyBytes, contentLength, cancellationToken)
            .ConfigureAwait(false);
        return Decode(compressed.Span, maxBodyBytes);
    }

    /// <summary>Decompresses a snappy block and parses the write request in it.</summary>
    public static WriteRequest Decode(ReadOnlySpan<byte> snappyBlock, int maxDecompressedBytes)
    {
        // The block starts with the decompressed length as a varint (snappy format_description.txt,
        // "Preamble"); checking it first means a small body cannot make us allocate a huge buffer.
        var length = ReadDecodedLength(snappyBlock);
        if (length > (ulong)maxDecompressedBytes)
        {
            throw new TelemetryDecodeException(
                TelemetryDecodeError.TooLarge,
                $"The decompressed body ({length} bytes) exceeds the limit of {maxDecompressedBytes} bytes.");
        }

        byte[] raw;
        try
        {
            raw = Snappy.Decode(snappyBlock);
        }
        catch (Exception e) when (e is IOException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new TelemetryDecodeException(TelemetryDecodeError.MalformedSnappy, "The body is not a valid snappy block.", e);
        }

        return ProtobufBody.Parse(WriteRequest.Parser, raw, "prometheus.WriteRequest");
    }

    private static ulong ReadDecodedLength(ReadOnlySpan<byte> block)
    {
        ulong value = 0;
        for (var i = 0; i < 5; i++)
        {
            if (i >= block.Length)
            {
                break;
            }

            var b = block[i];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new TelemetryDecodeException(
            TelemetryDecodeError.MalformedSnappy, "The body is not a valid snappy block (bad length preamble).");
    }
}
