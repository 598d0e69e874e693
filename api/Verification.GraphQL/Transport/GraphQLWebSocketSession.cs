using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Transport;

/// <summary>
/// One WebSocket connection speaking the <c>graphql-transport-ws</c> subprotocol (graphql-ws PROTOCOL.md):
/// ConnectionInit/ConnectionAck within a timeout (4408), Ping/Pong, Subscribe → Next* → Complete or Error,
/// client Complete to stop; protocol violations close with 4400 (invalid message), 4401 (subscribe before
/// ack), 4403 (init rejected), 4406 (subprotocol), 4409 (duplicate id) or 4429 (repeated init).
/// </summary>
internal sealed partial class GraphQLWebSocketSession(
    HttpContext httpContext,
    GraphQLExecutor executor,
    GraphQLHttpOptions options,
    ILogger logger)
{
    internal const string Subprotocol = "graphql-transport-ws";

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _running = [];
    private WebSocket _socket = null!;
    private GraphQLRequestContext _requestContext = null!;
    private volatile bool _initReceived;
    private volatile bool _acknowledged;
    private volatile bool _closed;

    public async Task RunAsync()
    {
        var aborted = httpContext.RequestAborted;
        if (!httpContext.WebSockets.WebSocketRequestedProtocols.Contains(Subprotocol))
        {
            using var rejected = await httpContext.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await rejected.CloseOutputAsync((WebSocketCloseStatus)4406, "Subprotocol not acceptable", aborted).ConfigureAwait(false);
            return;
        }

        _socket = await httpContext.WebSockets.AcceptWebSocketAsync(Subprotocol).ConfigureAwait(false);
        _requestContext = options.ContextFactory is null
            ? new GraphQLRequestContext(httpContext.RequestServices)
            : await options.ContextFactory(httpContext).ConfigureAwait(false);
        using var session = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var timeProvider = httpContext.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var watcher = WatchInitAsync(timeProvider, session.Token);
        try
        {
            await ReceiveLoopAsync(session.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away (closed without the closing handshake, or the connection dropped): not an error.
            Log.ConnectionEnded(logger, e.Message);
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
            foreach (var operation in _operations.Values)
            {
                await CancelAsync(operation).ConfigureAwait(false);
            }

            await watcher.ConfigureAwait(false);
            await Task.WhenAll(_running).ConfigureAwait(false);
            _socket.Dispose();
        }
    }

    private async Task WatchInitAsync(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(options.ConnectionInitTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_initReceived)
        {
            await CloseAsync(4408, "Connection initialisation timeout").ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (!_closed && _socket.State == WebSocketState.Open)
        {
            message.SetLength(0);
            WebSocketReceiveResult received;
            do
            {
                received = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    // Complete the closing handshake so the client sees a clean close, not 1006.
                    await CloseAsync((int)WebSocketCloseStatus.NormalClosure, "Normal Closure").ConfigureAwait(false);
                    return;
                }

                if (message.Length + received.Count > options.MaxRequestBytes)
                {
                    await CloseAsync(4400, "Message too large").ConfigureAwait(false);
                    return;
                }

                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            await HandleMessageAsync(message.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task HandleMessageAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            await CloseAsync(4400, "Invalid message received").ConfigureAwait(false);
            return;
        }

        using (document)
        {
            try
            {
                await HandleMessageAsync(document.RootElement, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (!Utf8.IsValid(bytes) || bytes.AsSpan().IndexOf("\\u"u8) >= 0)
            {
                // A string of the message is not valid UTF-8, or escapes a lone surrogate: JsonDocument parses it, GetString throws.
                await CloseAsync(4400, "Invalid message received").ConfigureAwait(false);
            }
        }
    }

    private async Task HandleMessageAsync(JsonElement root, CancellationToken cancellationToken)
    {
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement)
                || typeElement.ValueKind != JsonValueKind.String)
            {
                await CloseAsync(4400, "Invalid message received").ConfigureAwait(false);
                return;
            }

            switch (typeElement.GetString())
            {
                case "connection_init":
                    await HandleInitAsync(root).ConfigureAwait(false);
                    break;
                case "ping":
                    await SendAsync(w => w.WriteString("type", "pong"), cancellationToken).ConfigureAwait(false);
                    break;
                case "pong":
                    break;
                case "subscribe":
                    await HandleSubscribeAsync(root, cancellationToken).ConfigureAwait(false);
                    break;
                case "complete":
                    if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                        && _operations.TryRemove(id.GetString()!, out var operation))
                    {
                        await CancelAsync(operation).ConfigureAwait(false);
                    }

                    break;
                default:
                    await CloseAsync(4400, $"Invalid message type \"{typeElement.GetString()}\"").ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task HandleInitAsync(JsonElement root)
    {
        if (_initReceived)
        {
            await CloseAsync(4429, "Too many initialisation requests").ConfigureAwait(false);
            return;
        }

        _initReceived = true;
        Dictionary<string, object?>? payload = null;
        if (root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                await CloseAsync(4400, "Invalid connection_init payload").ConfigureAwait(false);
                return;
            }

            payload = (Dictionary<string, object?>)ValueConversion.FromJson(p)!;
        }

        if (options.OnConnectionInit is not null && !await options.OnConnectionInit(httpContext, payload).ConfigureAwait(false))
        {
            await CloseAsync(4403, "Forbidden").ConfigureAwait(false);
            return;
        }

        _acknowledged = true;
        await SendAsync(w => w.WriteString("type", "connection_ack"), httpContext.RequestAborted).ConfigureAwait(false);
    }

    private async Task HandleSubscribeAsync(JsonElement root, CancellationToken cancellationToken)
    {
        if (!_acknowledged)
        {
            await CloseAsync(4401, "Unauthorized").ConfigureAwait(false);
            return;
        }

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || idElement.GetString() is not { Length: > 0 } id
            || !root.TryGetProperty("payload", out var payload)
            || RequestReader.Read(payload, out _) is not { } request)
        {
            await CloseAsync(4400, "Invalid subscribe message").ConfigureAwait(false);
            return;
        }

        var operation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!_operations.TryAdd(id, operation))
        {
            operation.Dispose();
            await CloseAsync(4409, $"Subscriber for {id} already exists").ConfigureAwait(false);
            return;
        }

        _running.Add(RunOperationAsync(id, request, operation));
    }

    private async Task RunOperationAsync(string id, GraphQLRequest request, CancellationTokenSource operation)
    {
        var token = operation.Token;
        try
        {
            var result = await executor.SubscribeAsync(request, _requestContext, token).ConfigureAwait(false);
            if (result.Error is { } error)
            {
                await SendAsync(
                    w =>
                    {
                        w.WriteString("id", id);
                        w.WriteString("type", "error");
                        w.WritePropertyName("payload");
                        w.WriteStartArray();
                        foreach (var e in error.Errors)
                        {
                            ExecutionResult.WriteError(w, e, false);
                        }

                        w.WriteEndArray();
                    },
                    token).ConfigureAwait(false);
                return;
            }

            await foreach (var next in result.Stream!.WithCancellation(token).ConfigureAwait(false))
            {
                await SendAsync(
                    w =>
                    {
                        w.WriteString("id", id);
                        w.WriteString("type", "next");
                        w.WritePropertyName("payload");
                        next.WriteTo(w);
                    },
                    token).ConfigureAwait(false);
            }

            await SendAsync(
                w =>
                {
                    w.WriteString("id", id);
                    w.WriteString("type", "complete");
                },
                token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The client completed the operation or the connection ended: nothing more is sent for this id.
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            Log.ConnectionEnded(logger, e.Message);
        }
        catch (Exception e)
        {
            Log.SubscriptionFailed(logger, id, e);
            await CloseAsync(4500, "Internal server error").ConfigureAwait(false);
        }
        finally
        {
            _operations.TryRemove(new KeyValuePair<string, CancellationTokenSource>(id, operation));
            operation.Dispose();
        }
    }

    /// <summary>
    /// Cancels an operation that may have ended meanwhile: its own <c>finally</c> disposes its token source, so a cancel
    /// racing with that end (a client's complete, or the connection closing) finds it disposed — and has nothing to do.
    /// </summary>
    private static async Task CancelAsync(CancellationTokenSource operation)
    {
        try
        {
            await operation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The operation already ended.
        }
    }

    private async Task SendAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, ExecutionResult.WriterOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_closed && _socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(stream.ToArray(), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseAsync(int code, string reason)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_closed && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                _closed = true;
                Log.Closing(logger, code, reason);
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException e)
        {
            Log.ConnectionEnded(logger, e.Message);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "GraphQL WebSocket connection ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Closing GraphQL WebSocket with {Code}: {Reason}")]
        public static partial void Closing(ILogger logger, int code, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "GraphQL subscription {Id} failed")]
        public static partial void SubscriptionFailed(ILogger logger, string id, Exception exception);
    }
}
