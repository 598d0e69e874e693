using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// A webhook receiver on a loopback port (Kestrel): records every request it gets and answers each with the status
/// <see cref="Answer"/> gives for the request's number (1-based), as a real endpoint that fails and recovers would.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>The status answered to request number n (1-based); settable while running.</summary>
    public Func<int, int> Answer { get; set; } = _ => StatusCodes.Status200OK;

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var status = receiver.Answer(Interlocked.Increment(ref receiver._count));
            receiver.Received.Enqueue(new ReceivedWebhook(
                request.ContentType, request.Headers["X-Verification-Signature"].ToString(), body.ToArray(), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One request a <see cref="WebhookReceiver"/> got, and the status it answered.</summary>
internal sealed record ReceivedWebhook(string? ContentType, string Signature, byte[] Body, int Answered);
