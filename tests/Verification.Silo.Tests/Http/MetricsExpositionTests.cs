using System.Diagnostics;
using System.Net.Http.Json;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary>GET /metrics is checked by Prometheus's own linter, promtool (installed by test.sh).</summary>
public sealed class MetricsExpositionTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Metrics_AfterTraffic_PassPromtoolCheck()
    {
        // Missing promtool fails the test (in CI and out of it): a check that cannot run has not passed.
        var promtool = FindPromtool()
            ?? throw new InvalidOperationException("promtool is not installed: run ./test.sh (it installs prometheus), or apt-get install prometheus");

        await _http.PostAsJsonAsync("/v1/deployments",
            new RegisterDeploymentInput("m-1", "svc", "v1", [new MetricInput("latency", MetricKind.Continuous)]), ContractJson.Options);
        await _http.GetAsync("/v1/deployments/m-1");
        var text = await _http.GetStringAsync("/metrics");

        var info = new ProcessStartInfo(promtool, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(text);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"promtool check metrics failed:\n{output}\n--- exposition ---\n{text}");
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
    }

    private static string? FindPromtool() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, "promtool"))
            .FirstOrDefault(File.Exists);
}
