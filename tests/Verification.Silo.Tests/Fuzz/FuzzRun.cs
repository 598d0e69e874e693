using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// Runs one surface's inputs: the corpus (every defect found so far, <c>Fuzz/corpus/&lt;surface&gt;/</c>) first, then
/// seeded generated and mutated inputs. Each input must finish within <see cref="MaxTimePerInput"/> and allocate at
/// most <see cref="MaxBytesPerInput"/>; a failure names the seed, the index and the input, so that it can become a
/// corpus case. <c>FUZZ_SEED</c> and <c>FUZZ_INPUTS</c> override the seed and the count (e.g. for a long local run).
/// </summary>
internal static class FuzzRun
{
    /// <summary>Inputs per surface in CI (issue 11: at least 10,000).</summary>
    public const int DefaultInputs = 10_000;

    public static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(5);

    public const long MaxBytesPerInput = 256L * 1024 * 1024;

    /// <summary>Every input goes through the surface's parsers and validators in process; one in this many also goes
    /// through the whole silo over HTTP (TestServer), which costs about a millisecond of CPU each.</summary>
    public const int HttpEvery = 10;

    public static int Seed(int surfaceSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed ^ surfaceSeed
            : surfaceSeed;

    public static int Inputs =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_INPUTS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count
            : DefaultInputs;

    /// <summary>The corpus cases of <paramref name="surface"/>, by file name.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Corpus(string surface)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", surface);
        return Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))]
            : [];
    }

    /// <summary>Runs <paramref name="check"/> on each input in turn; returns how many ran.</summary>
    public static async Task<int> RunAsync<T>(string surface, int seed, IEnumerable<T> inputs, Func<T, int, Task> check, Func<T, string> show)
    {
        var count = 0;
        foreach (var input in inputs)
        {
            var allocated = GC.GetTotalAllocatedBytes();
            var watch = Stopwatch.StartNew();
            try
            {
                await check(input, count).WaitAsync(MaxTimePerInput * 2);
            }
            catch (Exception e)
            {
                throw new FuzzFailure(surface, seed, count, show(input), e);
            }

            watch.Stop();
            var bytes = GC.GetTotalAllocatedBytes() - allocated;
            if (watch.Elapsed > MaxTimePerInput || bytes > MaxBytesPerInput)
            {
                throw new FuzzFailure(surface, seed, count, show(input),
                    new InvalidOperationException($"took {watch.Elapsed.TotalMilliseconds:F0} ms and allocated {bytes} bytes"));
            }

            count++;
        }

        return count;
    }

    /// <summary>An input as a reader can paste it into a corpus file: text as is (cut), bytes as base64.</summary>
    public static string Show(string text) => text.Length <= 2_000 ? text : text[..2_000] + $"… ({text.Length} characters)";

    public static string Show(byte[] bytes) => "base64:" + Convert.ToBase64String(bytes.Length <= 4_096 ? bytes : bytes[..4_096]);

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>One fuzz input broke a property.</summary>
internal sealed class FuzzFailure(string surface, int seed, int index, string input, Exception inner)
    : Exception($"fuzz surface {surface}, seed {seed}, input #{index}: {inner.Message}\ninput: {input}", inner);
