using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;
using Verification.Silo.Protos.Otlp;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Telemetry;

/// <summary>
/// With Otlp:Endpoint set, the silo sends its own traces and metrics (OpenTelemetry .NET SDK, OTLP/HTTP protobuf) to
/// a receiver: here a real HTTP server on 127.0.0.1 that keeps every body it is sent.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private WebApplication? _receiver;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            _received.Enqueue((context.Request.Path.Value!, body.ToArray()));
            return Results.Ok();
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task OtlpEndpoint_Set_ExportsRequestSpansAndSiloMetrics()
    {
        var address = _receiver!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        await using var factory = new SiloFactory();
        await using var silo = factory.WithWebHostBuilder(builder => builder
            .UseSetting("Otlp:Endpoint", address)
            .UseSetting("Otlp:ExportIntervalMilliseconds", "200"));
        using var http = silo.CreateClient();

        using var registered = await http.PostAsJsonAsync("/v1/deployments",
            new RegisterDeploymentInput("otlp-1", "svc", "v1", [new MetricInput("latency", MetricKind.Continuous)]), ContractJson.Options);
        using var read = await http.GetAsync("/v1/deployments/otlp-1");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HashSet<string> metrics = [];
        var span = false;
        while (DateTime.UtcNow < deadline && !(span && metrics.Contains("verification.verdicts") && metrics.Contains("http.server.request.duration")))
        {
            while (_received.TryDequeue(out var export))
            {
                if (export.Path == "/v1/traces")
                {
                    span |= Encoding.UTF8.GetString(export.Body).Contains("GET /v1/deployments/{id}", StringComparison.Ordinal);
                }
                else if (export.Path == "/v1/metrics")
                {
                    var request = ExportMetricsServiceRequest.Parser.ParseFrom(export.Body);
                    Assert.Contains(request.ResourceMetrics.SelectMany(r => r.Resource.Attributes),
                        a => a.Key == "service.name" && a.Value.StringValue == "verification");
                    metrics.UnionWith(request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.Name));
                }
            }

            await Task.Delay(50);
        }

        Assert.True(span, "no span of GET /v1/deployments/{id} was exported");
        Assert.Contains("verification.verdicts", metrics);
        Assert.Contains("http.server.request.duration", metrics);
    }
}
