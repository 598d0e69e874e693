using System.Text;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// Seeded mutations in the style of coverage-less fuzzers (AFL's havoc stage): bit flips, interesting bytes and numbers,
/// inserted dictionary tokens, deleted, duplicated and spliced ranges, truncation. The same seed gives the same inputs.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'\n', (byte)'"', (byte)'\\'];

    /// <summary>Varints a protobuf parser may trip on: 2^31 − 1, 2^32, 2^63 and a 10-byte run.</summary>
    private static readonly byte[][] InterestingVarints =
    [
        [0xFF, 0xFF, 0xFF, 0xFF, 0x07], [0x80, 0x80, 0x80, 0x80, 0x10], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07],
    ];

    public Random Random { get; } = new(seed);

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>One to four byte-level mutations of <paramref name="input"/> (optionally splicing in <paramref name="other"/>).</summary>
    public byte[] Mutate(byte[] input, byte[]? other = null)
    {
        var bytes = new List<byte>(input);
        var rounds = 1 + Random.Next(4);
        for (var round = 0; round < rounds; round++)
        {
            var at = bytes.Count == 0 ? 0 : Random.Next(bytes.Count);
            switch (Random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << Random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Pick(InterestingBytes);
                    break;
                case 2:
                    bytes.InsertRange(at, Pick(InterestingVarints));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + Random.Next(16)));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, 1 + Random.Next(64));
                    bytes.InsertRange(Random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 5 when bytes.Count > 1:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6 when other is { Length: > 0 }:
                    var from = Random.Next(other.Length);
                    bytes.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + Random.Next(64))).ToArray());
                    break;
                default:
                    var noise = new byte[1 + Random.Next(8)];
                    Random.NextBytes(noise);
                    bytes.InsertRange(at, noise);
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>One to four text mutations of <paramref name="input"/>, inserting tokens of <paramref name="dictionary"/>.</summary>
    public string Mutate(string input, IReadOnlyList<string> dictionary)
    {
        var text = new StringBuilder(input);
        var rounds = 1 + Random.Next(4);
        for (var round = 0; round < rounds; round++)
        {
            var at = text.Length == 0 ? 0 : Random.Next(text.Length);
            switch (Random.Next(6))
            {
                case 0:
                case 1:
                    text.Insert(at, Pick(dictionary));
                    break;
                case 2 when text.Length > 0:
                    text.Remove(at, Math.Min(text.Length - at, 1 + Random.Next(12)));
                    break;
                case 3 when text.Length > 0:
                    var length = Math.Min(text.Length - at, 1 + Random.Next(80));
                    text.Insert(Random.Next(text.Length), text.ToString(at, length));
                    break;
                case 4 when text.Length > 1:
                    text.Length = at;
                    break;
                default:
                    text.Insert(at, (char)Random.Next(0, 0x3000));
                    break;
            }
        }

        return text.ToString();
    }
}
