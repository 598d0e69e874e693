using System.IO.Compression;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Reads a request body into memory with a hard cap, undoing gzip on the way.</summary>
internal static class BoundedBody
{
    private const int ChunkBytes = 81_920;

    /// <summary>
    /// Reads <paramref name="body"/> (decompressed when <paramref name="contentEncoding"/> is gzip) and
    /// fails with <see cref="TelemetryDecodeError.TooLarge"/> as soon as more than <paramref name="maxBytes"/>
    /// would be held: a gzip bomb is stopped after the cap, not after inflating.
    /// </summary>
    public static async Task<byte[]> ReadAsync(Stream body, string? contentEncoding, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var encoding = contentEncoding?.Trim();
        if (string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return await CopyCappedAsync(body, maxBytes, "body", cancellationToken).ConfigureAwait(false);
        }

        if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new TelemetryDecodeException(
                TelemetryDecodeError.UnsupportedEncoding, $"Content-Encoding '{encoding}' is not supported (use gzip or none).");
        }

        // The compressed bytes are capped too, so a slow endless stream cannot hold the request forever.
        var compressed = await CopyCappedAsync(body, maxBytes, "gzip body", cancellationToken).ConfigureAwait(false);
        var gzip = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
        await using (gzip.ConfigureAwait(false))
        {
            try
            {
                return await CopyCappedAsync(gzip, maxBytes, "decompressed body", cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new TelemetryDecodeException(TelemetryDecodeError.MalformedGzip, "The body is not a valid gzip stream.", e);
            }
        }
    }

    private static async Task<byte[]> CopyCappedAsync(Stream source, int maxBytes, string what, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        while (true)
        {
            var read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                throw new TelemetryDecodeException(TelemetryDecodeError.TooLarge, $"The {what} exceeds the limit of {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
