using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// The journal payload of one stored batch. Binary and little-endian so that 1,000 values cost 8 KB, not the
/// ~20 KB of their JSON text. Layout (version 1):
/// <c>u8 version | u8 cohort | u16 metric-length | metric UTF-8 | i64 at (Unix ms) | u8 kind</c>, then for
/// kind 0 (RATIO) <c>i64 count | i64 total</c>, for kind 1 (CONTINUOUS) <c>i32 n | n × f64</c>.
/// The deployment id and batch id are not repeated here: they are the journal row's key columns.
/// </summary>
internal static class SampleBatchCodec
{
    private const byte Version1 = 1;
    private const byte RatioKind = 0;
    private const byte ValuesKind = 1;

    public static byte[] Encode(StoredBatch batch)
    {
        var metric = Encoding.UTF8.GetBytes(batch.Metric);
        var size = 1 + 1 + 2 + metric.Length + 8 + 1 + (batch.Values is null ? 16 : 4 + (8 * batch.Values.Length));
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        span[0] = Version1;
        span[1] = (byte)batch.Cohort;
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], checked((ushort)metric.Length));
        metric.CopyTo(span[4..]);
        var at = 4 + metric.Length;
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], batch.At.ToUnixTimeMilliseconds());
        at += 8;
        if (batch.Values is null)
        {
            span[at++] = RatioKind;
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], batch.Count);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], batch.Total);
        }
        else
        {
            span[at++] = ValuesKind;
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], batch.Values.Length);
            var values = MemoryMarshal.AsBytes(batch.Values.AsSpan());
            if (BitConverter.IsLittleEndian)
            {
                values.CopyTo(span[(at + 4)..]);
            }
            else
            {
                for (var i = 0; i < batch.Values.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 4 + (8 * i))..], batch.Values[i]);
                }
            }
        }

        return buffer;
    }

    public static StoredBatch Decode(ReadOnlySpan<byte> span)
    {
        if (span.Length < 13 || span[0] != Version1)
        {
            throw new InvalidDataException($"Unknown sample batch encoding (version byte {(span.Length > 0 ? span[0] : -1)}).");
        }

        var cohort = (Cohort)span[1];
        int metricLength = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
        var metric = Encoding.UTF8.GetString(span.Slice(4, metricLength));
        var at = 4 + metricLength;
        var time = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[at..]));
        at += 8;
        var kind = span[at++];
        if (kind == RatioKind)
        {
            return new StoredBatch(cohort, metric, time,
                BinaryPrimitives.ReadInt64LittleEndian(span[at..]), BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]), null);
        }

        var n = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        var values = new double[n];
        var bytes = span.Slice(at + 4, 8 * n);
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
            }
        }

        return new StoredBatch(cohort, metric, time, 0, 0, values);
    }
}

/// <summary>One durable batch as the grain replays it: RATIO batches have Count/Total, CONTINUOUS ones Values.</summary>
internal sealed record StoredBatch(Cohort Cohort, string Metric, DateTimeOffset At, long Count, long Total, double[]? Values);
