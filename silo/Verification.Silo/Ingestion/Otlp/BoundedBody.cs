using System.Buffers;
using System.IO.Compression;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Reads a request body into a pooled buffer with a hard cap, undoing gzip on the way.</summary>
internal static class BoundedBody
{
    /// <summary>First buffer when the length is not known; it doubles as the body grows.</summary>
    private const int InitialBytes = 16 * 1024;

    /// <summary>
    /// Reads <paramref name="body"/> (decompressed when <paramref name="contentEncoding"/> is gzip) and
    /// fails with <see cref="TelemetryDecodeError.TooLarge"/> as soon as more than <paramref name="maxBytes"/>
    /// would be held: a gzip bomb is stopped after the cap, not after inflating. The bytes are read once, straight
    /// into a buffer rented from the shared pool (sized by <paramref name="lengthHint"/>, the request's
    /// Content-Length, when known); dispose the result to return it.
    /// </summary>
    public static async Task<PooledBody> ReadAsync(
        Stream body, string? contentEncoding, int maxBytes, long? lengthHint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var encoding = contentEncoding?.Trim();
        var identity = string.IsNullOrEmpty(encoding) || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase);
        if (!identity && !encoding!.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new TelemetryDecodeException(
                TelemetryDecodeError.UnsupportedEncoding, $"Content-Encoding '{encoding}' is not supported (use gzip or none).");
        }

        // The compressed bytes are capped too, so a slow endless stream cannot hold the request forever.
        var read = await CopyCappedAsync(body, maxBytes, identity ? "body" : "gzip body", lengthHint, cancellationToken).ConfigureAwait(false);
        if (identity)
        {
            return read;
        }

        using (read)
        {
            var gzip = new GZipStream(read.AsStream(), CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                try
                {
                    return await CopyCappedAsync(gzip, maxBytes, "decompressed body", lengthHint: null, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new TelemetryDecodeException(TelemetryDecodeError.MalformedGzip, "The body is not a valid gzip stream.", e);
                }
            }
        }
    }

    private static async Task<PooledBody> CopyCappedAsync(
        Stream source, int maxBytes, string what, long? lengthHint, CancellationToken cancellationToken)
    {
        // One byte more than a known length, so that the read which finds the end needs no larger buffer.
        var initial = lengthHint is > 0 and var hint ? (int)Math.Min(hint + 1, (long)maxBytes + 1) : InitialBytes;
        var buffer = new PooledBody(ArrayPool<byte>.Shared.Rent(Math.Max(1, initial)));
        try
        {
            while (true)
            {
                if (buffer.Free == 0)
                {
                    buffer.Grow();
                }

                var read = await source.ReadAsync(buffer.FreeMemory(maxBytes + 1L), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
                if (buffer.Length > maxBytes)
                {
                    throw new TelemetryDecodeException(TelemetryDecodeError.TooLarge, $"The {what} exceeds the limit of {maxBytes} bytes.");
                }
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}

/// <summary>A request body held in an array rented from <see cref="ArrayPool{T}.Shared"/>; dispose to return it.</summary>
internal sealed class PooledBody : IDisposable
{
    private byte[] _array;

    internal PooledBody(byte[] array) => _array = array;

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    internal int Free => _array.Length - Length;

    /// <summary>Room to read into, never more than <paramref name="limit"/> bytes held in all.</summary>
    internal Memory<byte> FreeMemory(long limit) => _array.AsMemory(Length, (int)Math.Min(Free, Math.Max(1, limit - Length)));

    internal void Advance(int count) => Length += count;

    internal void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(_array.Length, 1024) * 2));
        _array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }

    internal Stream AsStream() => new MemoryStream(_array, 0, Length, writable: false);

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
            Length = 0;
        }
    }
}
