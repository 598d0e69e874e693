using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Verification.Api.Http;

/// <summary>Reads request bodies with a size limit, whatever the server's own limit is.</summary>
internal static class RequestBodies
{
    /// <summary>Reads the whole body into a pooled buffer; throws <see cref="PayloadTooLargeException"/> past <paramref name="limit"/>.</summary>
    public static async Task<PooledBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeException($"The body has {request.ContentLength} bytes; the limit is {limit}.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, Math.Max(request.ContentLength ?? 0, 16 * 1024)) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw new PayloadTooLargeException($"The body exceeds the limit of {limit} bytes.");
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw new PayloadTooLargeException($"The body exceeds the limit of {limit} bytes.");
                }
            }

            return new PooledBody(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}

/// <summary>A body read into a rented buffer; dispose to return it.</summary>
internal sealed class PooledBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsSpan(0, length);

    public void Dispose()
    {
        if (_buffer is { } b)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
