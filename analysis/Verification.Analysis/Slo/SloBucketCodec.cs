namespace Verification.Analysis.Slo;

/// <summary>
/// A compact byte form of <see cref="SloBuckets.Snapshot"/> for grain state: version byte 1, the
/// bucket count, then per bucket the minute (first absolute, then the gap to the previous one), the
/// bad count and the total, all as LEB128 varints. Bad is stored instead of good because it is
/// usually 0 (one byte); a busy 30-day SLO with a bucket every minute takes ≈ 4–6 bytes a minute.
/// </summary>
public static class SloBucketCodec
{
    private const byte Version = 1;

    public static byte[] Encode(IReadOnlyList<SloBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        using var stream = new MemoryStream();
        stream.WriteByte(Version);
        Write(stream, (ulong)buckets.Count);
        var previous = 0L;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (bucket.Good < 0 || bucket.Good > bucket.Total || (i > 0 && bucket.Minute <= previous))
            {
                throw new ArgumentException("Buckets must have 0 ≤ good ≤ total and strictly increasing minutes.", nameof(buckets));
            }

            // The first minute is absolute (zig-zag encoded, as a minute before 1970 is negative).
            Write(stream, i == 0 ? (ulong)((bucket.Minute << 1) ^ (bucket.Minute >> 63)) : (ulong)(bucket.Minute - previous));
            Write(stream, (ulong)(bucket.Total - bucket.Good));
            Write(stream, (ulong)bucket.Total);
            previous = bucket.Minute;
        }

        return stream.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a version-1 encoding.</exception>
    public static IReadOnlyList<SloBucket> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0 || bytes[0] != Version)
        {
            throw new FormatException("Unknown SLO bucket encoding version.");
        }

        var position = 1;
        var count = Read(bytes, ref position);
        // Each bucket takes at least three bytes; a larger count is corrupt, not a reason to allocate.
        if (count > (ulong)(bytes.Length - position) / 3)
        {
            throw new FormatException("Bucket count exceeds the data.");
        }

        var buckets = new List<SloBucket>((int)count);
        var minute = 0L;
        for (var i = 0UL; i < count; i++)
        {
            var m = Read(bytes, ref position);
            minute = i == 0 ? (long)(m >> 1) ^ -(long)(m & 1) : checked(minute + (long)m);
            var bad = Read(bytes, ref position);
            var total = Read(bytes, ref position);
            if (bad > total || total > long.MaxValue || (i > 0 && m == 0))
            {
                throw new FormatException($"Bucket {i} is invalid.");
            }

            buckets.Add(new SloBucket(minute, (long)(total - bad), (long)total));
        }

        return position == bytes.Length ? buckets : throw new FormatException("Trailing bytes after the buckets.");
    }

    private static void Write(MemoryStream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private static ulong Read(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new FormatException("Truncated SLO bucket encoding.");
            }

            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("Varint longer than 64 bits.");
    }
}
