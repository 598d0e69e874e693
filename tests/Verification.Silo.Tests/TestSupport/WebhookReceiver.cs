using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

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
        var app = LoopbackServer.Create(port);
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
        receiver.Url = new Uri(await LoopbackServer.StartAsync(app), "hook");
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
