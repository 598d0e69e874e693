using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Verification.Cli;

/// <summary>
/// Follows a deployment's verdict: over the GraphQL subscription <c>verdictChanged</c> (<c>graphql-transport-ws</c>), and
/// by long poll (<c>GET /v1/deployments/{id}/verdict?wait=60</c> with the last ETag) when the subscription cannot be
/// opened or breaks. Yields the current verdict first, then every change.
/// </summary>
internal sealed class VerdictFollower(VerificationClient client, TextWriter log)
{
    private const string Subscription =
        "subscription($id: ID!) { verdictChanged(deploymentId: $id) { decision reason score decidedAt } }";

    private const int LongPollSeconds = 60;

    /// <summary>Set to skip the subscription (<c>wait --poll</c>).</summary>
    public bool PollOnly { get; init; }

    public async IAsyncEnumerable<CliVerdict> FollowAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!PollOnly)
        {
            // One plain read first: it knows what the subscription does not say — whether the deployment was completed
            // undecided (final) — and an unknown deployment ends here.
            var first = await ReadAsync(id, null, null, cancellationToken).ConfigureAwait(false);
            yield return first;
            if (first.Final)
            {
                yield break;
            }

            var subscription = SubscribeAsync(id, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var previous = first;
            try
            {
                while (true)
                {
                    CliVerdict verdict;
                    try
                    {
                        if (!await subscription.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        verdict = subscription.Current;
                    }
                    catch (Exception e) when (e is WebSocketException or SubscriptionException or IOException && !cancellationToken.IsCancellationRequested)
                    {
                        await log.WriteLineAsync($"subscription unavailable ({e.Message}); following by long poll").ConfigureAwait(false);
                        break;
                    }

                    if (verdict.Same(previous))
                    {
                        // The service sends a verdict again when the deployment is completed (the subscription's first
                        // event repeats the read above, too): a plain read says whether it is final now.
                        verdict = await ReadAsync(id, null, null, cancellationToken).ConfigureAwait(false);
                    }

                    previous = verdict;
                    yield return verdict;
                }
            }
            finally
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }
        }

        await foreach (var verdict in PollAsync(id, cancellationToken).ConfigureAwait(false))
        {
            yield return verdict;
        }
    }

    /// <summary>The long poll: the verdict at once, then each time it differs from the last ETag.</summary>
    public async IAsyncEnumerable<CliVerdict> PollAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? etag = null;
        while (true)
        {
            var verdict = await ReadAsync(id, etag, etag is null ? null : LongPollSeconds, cancellationToken).ConfigureAwait(false);
            if (verdict.ETag != etag)
            {
                etag = verdict.ETag;
                yield return verdict;
            }
        }
    }

    private async Task<CliVerdict> ReadAsync(string id, string? etag, int? wait, CancellationToken cancellationToken)
    {
        var answer = await client.VerdictAsync(id, etag, wait, cancellationToken).ConfigureAwait(false);
        if (answer.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new DeploymentNotFoundException(id);
        }

        return answer.Ok ? CliVerdict.FromHttp(answer.Body, answer.ETag) : throw new HttpRequestException("GET verdict: " + answer.Problem());
    }

    /// <summary>The subscription: connection_init (with the token), subscribe, then each <c>next</c> payload.</summary>
    private async IAsyncEnumerable<CliVerdict> SubscribeAsync(string id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("graphql-transport-ws");
        var address = new UriBuilder(new Uri(client.BaseAddress, "graphql"));
        address.Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await socket.ConnectAsync(address.Uri, connect.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SubscriptionException("no WebSocket connection within 10 s");
            }
        }

        object init = client.Token is { Length: > 0 } token
            ? new { type = "connection_init", payload = new { authorization = "Bearer " + token } }
            : new { type = "connection_init" };
        await SendAsync(socket, init, cancellationToken).ConfigureAwait(false);
        var subscribed = false;
        while (true)
        {
            using var message = await ReceiveAsync(socket, cancellationToken).ConfigureAwait(false)
                ?? throw new SubscriptionException($"the server closed the connection ({socket.CloseStatus} {socket.CloseStatusDescription})");
            var root = message.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "connection_ack" when !subscribed:
                    subscribed = true;
                    await SendAsync(socket, new { id = "1", type = "subscribe", payload = new { query = Subscription, variables = new { id } } },
                        cancellationToken).ConfigureAwait(false);
                    break;
                case "ping":
                    await SendAsync(socket, new { type = "pong" }, cancellationToken).ConfigureAwait(false);
                    break;
                case "next":
                    var payload = root.GetProperty("payload");
                    if (payload.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0)
                    {
                        Fail(id, errors);
                    }

                    yield return CliVerdict.FromGraphQL(payload.GetProperty("data").GetProperty("verdictChanged"));
                    break;
                case "error":
                    Fail(id, root.GetProperty("payload"));
                    break;
                case "complete":
                    throw new SubscriptionException("the server completed the subscription");
                default:
                    break;
            }
        }
    }

    private static void Fail(string id, JsonElement errors)
    {
        foreach (var error in errors.EnumerateArray())
        {
            if (error.TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("code", out var code)
                && code.GetString() == "NOT_FOUND")
            {
                throw new DeploymentNotFoundException(id);
            }
        }

        throw new SubscriptionException(errors.EnumerateArray().Select(e => e.GetProperty("message").GetString()).FirstOrDefault() ?? "error");
    }

    private static Task SendAsync(ClientWebSocket socket, object message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>One whole text message (frames joined), or null when the server closes.</summary>
    private static async Task<JsonDocument?> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > 16 * 1024 * 1024)
            {
                throw new SubscriptionException("a message larger than 16 MiB");
            }

            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.WrittenMemory);
            }
        }
    }
}

/// <summary>The subscription cannot serve (refused, closed, or an error other than an unknown deployment).</summary>
internal sealed class SubscriptionException(string message) : Exception(message);

/// <summary>The deployment is not registered.</summary>
internal sealed class DeploymentNotFoundException(string id) : Exception($"Deployment '{id}' is not registered.");
