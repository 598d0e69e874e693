using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// What tells one data point from another within a request: its series key and the numbers it reported (for OTLP start
/// time, time and value, or count and sum; for remote write the timestamp and value). A batch's id is the SHA-256 of
/// the identities of the points that went into it (<see cref="BatchIdentity"/>), so a retried request yields the same
/// ids and a different one different ids.
/// </summary>
/// <remarks>Values are taken as their exact bit patterns (<see cref="BitConverter.DoubleToUInt64Bits"/>) and counts as
/// integers, so no two different numbers hash alike.</remarks>
internal readonly record struct PointIdentity(string SeriesKey, ulong Start, ulong Time, ulong First, ulong Second = 0);

/// <summary>
/// The SHA-256 of what went into one batch, fed piece by piece without building text: each string as its UTF-8 length
/// and bytes, each number as 8 little-endian bytes (an unambiguous encoding, so different contents hash differently).
/// Input is gathered in a pooled buffer and handed to the hash a few kilobytes at a time.
/// </summary>
internal sealed class BatchIdentity : IDisposable
{
    private const int BufferSize = 8 * 1024;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;

    public void Append(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetByteCount(text);
        Append((ulong)length);
        if (length > _buffer.Length - _used)
        {
            Flush();
        }

        if (length > _buffer.Length)
        {
            _hash.AppendData(Encoding.UTF8.GetBytes(text));
            return;
        }

        _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
    }

    public void Append(ulong number)
    {
        if (_buffer.Length - _used < sizeof(ulong))
        {
            Flush();
        }

        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_used), number);
        _used += sizeof(ulong);
    }

    public void Append(in PointIdentity point)
    {
        Append(point.SeriesKey);
        Append(point.Start);
        Append(point.Time);
        Append(point.First);
        Append(point.Second);
    }

    /// <summary>The first 16 bytes of the hash as lowercase hex after <paramref name="prefix"/> and a dash.</summary>
    public string ToId(string prefix)
    {
        Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(hash);
        return $"{prefix}-{Convert.ToHexStringLower(hash[..16])}";
    }

    public void Dispose()
    {
        _hash.Dispose();
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Flush()
    {
        _hash.AppendData(_buffer.AsSpan(0, _used));
        _used = 0;
    }
}
