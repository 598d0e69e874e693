using System.Net;
using System.Net.Http.Json;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Providers.Prometheus;

/// <summary>
/// Real processes on loopback, shared by the telemetry end-to-end tests: the silo (its own temporary SQLite, pulling
/// from the Prometheus below every second), a text exporter, and Prometheus scraping the exporter every second and
/// remote-writing to the silo. Everything is stopped and deleted on dispose, also when a start fails half way.
/// </summary>
public sealed class TelemetryProcessesFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-telemetry-").FullName;
    private SiloProcess? _silo;
    private PrometheusServer? _prometheus;
    private TextExporter? _exporter;

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    internal PrometheusServer Prometheus => _prometheus ?? throw new InvalidOperationException("not started");

    internal TextExporter Exporter => _exporter ?? throw new InvalidOperationException("not started");

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            _exporter = new TextExporter(PrometheusServer.FreePort());
            var prometheusPort = PrometheusServer.FreePort();
            _silo = await SiloProcess.StartAsync(
                new Dictionary<string, string>
                {
                    ["Storage:Provider"] = "sqlite",
                    ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_directory, "silo.db")}",
                    ["Prometheus:Url"] = $"http://127.0.0.1:{prometheusPort}/",
                    ["Prometheus:IntervalSeconds"] = "1",
                    ["Prometheus:TimeoutSeconds"] = "5",
                },
                timeout.Token);
            Http = new HttpClient { BaseAddress = _silo.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            _prometheus = await PrometheusServer.StartAsync(
                prometheusPort, _exporter.Port, new Uri(_silo.BaseAddress, "prometheus/api/v1/write"), timeout.Token);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
        {
            await _prometheus.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_exporter is not null)
        {
            await _exporter.DisposeAsync();
        }

        Http?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public async Task RegisterAsync(RegisterDeploymentInput input)
    {
        using var response = await Http.PostAsJsonAsync("v1/deployments", input, ContractJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task<Deployment> GetAsync(string id) =>
        (await Http.GetFromJsonAsync<Deployment>($"v1/deployments/{id}", ContractJson.Options))!;

    /// <summary>Polls the deployment until <paramref name="done"/> holds, then returns it; fails after the timeout with the last state.</summary>
    public async Task<Deployment> WaitForAsync(string id, Func<Deployment, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var deployment = await GetAsync(id);
            if (done(deployment))
            {
                return deployment;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Deployment {id} did not reach the expected state within {timeout}: summaries "
                    + string.Join("; ", deployment.Summaries) + $"; verdict {deployment.Verdict.Decision}: {deployment.Verdict.Reason}");
            }

            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryProcessesCollection : ICollectionFixture<TelemetryProcessesFixture>
{
    public const string Name = "telemetry processes";
}
