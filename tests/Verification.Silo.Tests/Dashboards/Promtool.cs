using System.Diagnostics;
using Verification.Silo.Tests.Ui;

namespace Verification.Silo.Tests.Dashboards;

/// <summary>Runs Prometheus's <c>promtool</c> (Debian package <c>prometheus</c>, installed by test.sh).</summary>
internal static class Promtool
{
    /// <summary>Runs <c>promtool</c> with <paramref name="arguments"/> in <paramref name="directory"/>; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string directory, params string[] arguments)
    {
        var executable = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool is not installed: apt-get install -y prometheus (test.sh does).");
        var info = new ProcessStartInfo(executable) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The repository's <c>dashboards/</c> directory.</summary>
    public static string DashboardsDirectory() => Path.Combine(UiFixture.RepositoryRoot(), "dashboards");
}
