using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Verification.Silo.Tests.Providers.Prometheus;

/// <summary>
/// A real Prometheus (<c>/usr/bin/prometheus</c>) on a free 127.0.0.1 port with a temporary TSDB, scraping the given
/// targets every second and optionally remote-writing to us. Stopped and its directory deleted on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    public static bool Installed => File.Exists(Binary);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<PrometheusServer> StartAsync(int port, int exporterPort, Uri? remoteWrite, CancellationToken cancellationToken)
    {
        var remote = remoteWrite is null
            ? string.Empty
            : $"""
              remote_write:
                - url: {remoteWrite}
                  queue_config:
                    batch_send_deadline: 500ms
                    min_backoff: 100ms
                    max_backoff: 1s
              """;
        var config = $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: exporter
                scrape_interval: 1s
                static_configs:
                  - targets: ['127.0.0.1:{exporterPort}']
            {remote}
            """;
        return await StartAsync(port, config, new Dictionary<string, string>(), cancellationToken);
    }

    /// <summary>Starts Prometheus with <paramref name="config"/> and <paramref name="files"/> (name → content) beside it.</summary>
    public static async Task<PrometheusServer> StartAsync(int port, string config, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("verification-prometheus-").FullName;
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content, cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config, cancellationToken);
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--config.file={Path.Combine(directory, "prometheus.yml")}");
        info.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory, "data")}");
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        info.ArgumentList.Add("--log.level=warn");
        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync("-/ready", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("prometheus was not ready within 30 s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
