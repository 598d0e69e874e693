using System.Net;
using System.Net.Sockets;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Cli.Tests;

/// <summary>
/// The silo as a real process on a free loopback port over a throwaway SQLite file, as a pipeline would reach it: the CLI's
/// exit codes are tested against it.
/// </summary>
public sealed class SiloServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-cli-").FullName;
    private SiloProcess? _process;

    public Uri BaseAddress => _process?.BaseAddress ?? throw new InvalidOperationException("not started");

    public string Url => BaseAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync() =>
        _process = await SiloProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "cli.db")}",
        }, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A loopback port nothing listens on (for connection errors).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
