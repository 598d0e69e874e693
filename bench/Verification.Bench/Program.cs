using BenchmarkDotNet.Running;

namespace Verification.Bench;

/// <summary>
/// Entry point for all benchmarks and load generators: `dotnet run -c Release --project bench/Verification.Bench -- --help`.
/// BenchmarkDotNet classes are picked by --filter; load generators are sub-commands named in bench/README.md.
/// </summary>
internal static class BenchProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
