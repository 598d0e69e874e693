using System.Diagnostics;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>
/// Runs a script of tests/conformance (graphql-js, graphql-ws, apache-arrow) with node. Fails, never skips, when node or the npm
/// packages are missing: `npm ci` in tests/conformance installs them (test.sh does this in CI).
/// </summary>
internal static class NodeScript
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "tests", "conformance");

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Verification.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts <c>node arguments…</c> in tests/conformance with redirected standard streams.</summary>
    public static Process Start(params string[] arguments)
    {
        foreach (var package in new[] { "graphql", "graphql-ws", "apache-arrow" })
        {
            if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", package)))
            {
                throw new InvalidOperationException($"The npm package {package} is not installed: run `npm ci` in {Directory} (test.sh does this).");
            }
        }

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("node could not be started.");
    }

    /// <summary>Runs a script that reads one JSON job on stdin and answers on stdout; throws with its stderr if it fails.</summary>
    public static async Task<string> RunAsync(string script, string input, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var cancellationToken = cts.Token;
        using var process = Start(script);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"node {script} failed ({process.ExitCode}): {await stderr}");
    }
}
