using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// The silo as a real operating-system process (as a user runs it), on a free loopback port, for tests that must
/// kill it for real. Uses the build output of silo/Verification.Silo of the same configuration as the tests.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly ServerErrorLog _errors;
    private readonly List<string> _expected = [];

    private SiloProcess(Process process, Uri baseAddress, ServerErrorLog errors)
    {
        _process = process;
        BaseAddress = baseAddress;
        _errors = errors;
    }

    public Uri BaseAddress { get; }

    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var silo = Launch(settings);
            try
            {
                await silo.WaitReadyAsync(cancellationToken);
                return silo;
            }
            catch (InvalidOperationException) when (attempt < 3 && silo._process.HasExited && silo._process.ExitCode == ExitCodeCannotListen)
            {
                // The free port chosen here was taken by another process before the silo bound it (tests run in
                // parallel and each picks ports the same way): choose again.
                silo._process.Dispose();
            }
            catch
            {
                // Not ready in time (or cancelled): no silo is left running behind the failed test.
                if (!silo._process.HasExited)
                {
                    silo._process.Kill(entireProcessTree: true);
                }

                silo._process.Dispose();
                throw;
            }
        }
    }

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    /// <summary>The silo's exit code when a listen address is in use (README, "Configuration").</summary>
    private const int ExitCodeCannotListen = 3;

    private static SiloProcess Launch(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SiloDll());
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        // Orleans ports of its own unless the test chose them (several silos run at once).
        var all = new Dictionary<string, string>(settings) { ["Cluster:SiloPort"] = "0", ["Cluster:GatewayPort"] = "0" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            info.ArgumentList.Add($"--{key}");
            info.ArgumentList.Add(value);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var errors = new ServerErrorLog();
        process.OutputDataReceived += (_, e) => errors.ReadConsoleLine(e.Data);
        process.ErrorDataReceived += (_, e) => errors.ReadConsoleLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SiloProcess(process, baseAddress, errors);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a power cut or an OOM kill does.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        foreach (var text in _expected)
        {
            _errors.Expect(text);
        }

        _errors.ThrowIfAny();
    }

    /// <summary>
    /// Errors containing <paramref name="text"/> that this silo is expected to log (the test caused them on purpose, e.g.
    /// Orleans failing to connect to a silo the test killed): left out of the check when the process is disposed.
    /// </summary>
    public void ExpectErrors(string text) => _expected.Add(text);

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        // Generous: on the shared 2-core machine under a load average of 50 a silo took 75-95 s to start (bench/README.md,
        // "Silo start"); a silo that is ready returns at once.
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {_process.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await http.GetAsync("readyz", cancellationToken);
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
                throw new TimeoutException($"The silo did not become ready within {ReadyTimeout.TotalSeconds} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string SiloDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Cannot find the repository root (Verification.sln) above " + AppContext.BaseDirectory);
        }

#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(dir.FullName, "silo", "Verification.Silo", "bin", configuration, "net10.0", "Verification.Silo.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the silo first", dll);
    }
}
