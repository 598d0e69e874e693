using System.Diagnostics;
using Verification.Silo.Hosting;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Hosting;

/// <summary>The silo process refusing to start: one line on stderr and the documented exit code, no stack trace.</summary>
public sealed class SiloStartupTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("verification-startup-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Start_AddressOfARunningSilo_ExitCode3AndOneLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var first = await SiloProcess.StartAsync(
            new Dictionary<string, string> { ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory.FullName, "first.db")}" },
            timeout.Token);
        var url = first.BaseAddress.ToString().TrimEnd('/');

        var (exitCode, output, error) = await RunSiloAsync(timeout.Token, "--urls", url, "--Storage:ConnectionString", $"Data Source={Path.Combine(_directory.FullName, "second.db")}");

        Assert.Equal(SiloStartup.CannotListen, exitCode);
        Assert.Equal(
            $"Verification.Silo: cannot listen on {url}: the address is already in use (another instance running?); choose another address with --urls.",
            error.Trim());
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Verdicts:ClockSeconds", "-1", "Verification.Silo: invalid configuration: Verdicts:ClockSeconds must be >= 0 (0 turns the clock off).")]
    [InlineData("Verdicts:ClockSeconds", "soon", "Verification.Silo: invalid configuration: Failed to convert configuration value 'soon' at 'Verdicts:ClockSeconds' to type 'System.Int32'.")]
    public async Task Start_BadConfigurationValue_ExitCode2AndOneLine(string key, string value, string message)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var (exitCode, output, error) = await RunSiloAsync(
            timeout.Token, "--urls", "http://127.0.0.1:0", "--Storage:ConnectionString", $"Data Source={Path.Combine(_directory.FullName, "bad.db")}",
            $"--{key}", value);

        Assert.Equal(SiloStartup.BadConfiguration, exitCode);
        Assert.Equal(message, error.Trim());
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NonLoopbackAddressWithoutTokens_RefusesWithExitCode2()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var (exitCode, _, error) = await RunSiloAsync(
            timeout.Token, "--urls", "http://0.0.0.0:0", "--Storage:ConnectionString", $"Data Source={Path.Combine(_directory.FullName, "open.db")}",
            "--Cluster:SiloPort", "0", "--Cluster:GatewayPort", "0");

        Assert.Equal(SiloStartup.BadConfiguration, exitCode);
        Assert.Contains(
            "Verification.Silo: refusing to start: listening on http://0.0.0.0:0, which is not only loopback, with no token: anyone who reaches it could change verdicts.",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShortBootstrapToken_RefusesWithExitCode2()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var (exitCode, _, error) = await RunSiloAsync(
            timeout.Token, "--urls", "http://127.0.0.1:0", "--Storage:ConnectionString", $"Data Source={Path.Combine(_directory.FullName, "short.db")}",
            "--Cluster:SiloPort", "0", "--Cluster:GatewayPort", "0", "--Auth:BootstrapToken", "secret");

        Assert.Equal(SiloStartup.BadConfiguration, exitCode);
        Assert.Contains("Verification.Silo: refusing to start: Auth:BootstrapToken must be at least 32 characters", error, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunSiloAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(SiloProcess.SiloDll());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
