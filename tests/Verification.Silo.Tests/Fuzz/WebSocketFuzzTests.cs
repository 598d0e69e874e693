using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Verification.GraphQL;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// graphql-transport-ws frames, well-formed and mutated, over the silo's WebSocket: a protocol violation may close the
/// connection with a 44xx code, never with 4500/1011 (server error), no message carries INTERNAL_SERVER_ERROR, and a
/// fresh connection still answers at the end.
/// </summary>
public sealed class WebSocketFuzzTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Surface = "websocket";

    private static readonly string[] Queries =
    [
        "{ __typename }", "{ deployment(id: \"fz-ws\") { id verdict { decision } } }", "subscription { verdictChanged(deploymentId: \"fz-ws\") { decision } }",
        "query($first: Int) { deployments(first: $first) { id } }", "{ deliveryTrend(weeks: 104) { isoWeek } }", "{ nope }", "{",
        "mutation { recordSamples(input: {deploymentId: \"fz-ws\", cohort: CANARY, metric: \"m\", count: 1, total: 2}) { accepted } }",
    ];

    private static readonly string[] Dictionary =
    [
        "{", "}", "\"", ",", ":", "null", "\"type\":\"subscribe\"", "\"type\":\"connection_init\"", "\"id\":\"1\"", "\"payload\":", "[", "]",
        "\"variables\":{\"first\":1001}", "\"query\":\"{\"", "\\u0000", "1e999",
    ];

    private sealed class Connection : IAsyncDisposable
    {
        private readonly Task _receiving;

        public Connection(WebSocket socket, ConcurrentQueue<string> problems)
        {
            Socket = socket;
            _receiving = ReceiveAsync(problems);
        }

        public WebSocket Socket { get; }

        public bool Closed => _receiving.IsCompleted;

        private async Task ReceiveAsync(ConcurrentQueue<string> problems)
        {
            var buffer = new byte[1 << 20];
            try
            {
                while (true)
                {
                    var received = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        if (Socket.CloseStatus is (WebSocketCloseStatus)4500 or WebSocketCloseStatus.InternalServerError)
                        {
                            problems.Enqueue($"closed with {(int)Socket.CloseStatus!}: {Socket.CloseStatusDescription}");
                        }

                        return;
                    }

                    var text = Encoding.UTF8.GetString(buffer, 0, received.Count);
                    if (text.Contains(ErrorCodes.InternalServerError, StringComparison.Ordinal))
                    {
                        problems.Enqueue(text);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // The connection went away (the test host reports a server's abrupt close as an IOException); the next
                // send reconnects.
            }
        }

        public async ValueTask DisposeAsync()
        {
            Socket.Abort();
            await _receiving;
            Socket.Dispose();
        }
    }

    private sealed record Input(byte[] Frame, bool Binary, bool Corpus);

    [Fact]
    public async Task Frames_FuzzedMessages_NoServerErrorAndStillServing()
    {
        await using var silo = new FuzzSilo(factory);
        await FuzzSilo.RegisterAsync(silo.Http, "fz-ws", new Api.Contracts.MetricInput("m", Api.Contracts.MetricKind.Ratio));
        var server = silo.Factory.Server;
        var problems = new ConcurrentQueue<string>();
        var seed = FuzzRun.Seed(1107);
        var mutator = new Mutator(seed);
        var connection = await ConnectAsync(server, problems);
        var reconnects = 0;

        var ran = await FuzzRun.RunAsync(Surface, seed, Inputs(mutator), async (input, _) =>
        {
            if (connection.Closed)
            {
                await connection.DisposeAsync();
                connection = await ConnectAsync(server, problems);
                reconnects++;
            }

            try
            {
                await connection.Socket.SendAsync(input.Frame, input.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or InvalidOperationException or ObjectDisposedException or IOException)
            {
                // The server closed the connection after an earlier frame; the next input reconnects.
            }

            Assert.Empty(problems);
        }, input => input.Binary ? FuzzRun.Show(input.Frame) : FuzzRun.Show(FuzzRun.Utf8(input.Frame)));

        // The server closes a connection on a frame it refuses; the client sees that on its receive loop, which on a
        // loaded machine can lag behind thousands of quick sends: give it a few seconds to see the last close.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (reconnects == 0 && !connection.Closed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var closedAtEnd = connection.Closed;
        await connection.DisposeAsync();
        Assert.True(ran >= FuzzRun.Inputs);
        Assert.True(reconnects > 0 || closedAtEnd, "no fuzzed frame made the server close a connection");
        Assert.Empty(problems);
        using var fresh = await OpenAsync(server);
        await fresh.SendAsync("""{"id":"last","type":"subscribe","payload":{"query":"{ __typename }"}}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var next = await fresh.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("""{"id":"last","type":"next","payload":{"data":{"__typename":"Query"}}}""", Encoding.UTF8.GetString(buffer, 0, next.Count));
    }

    [Fact]
    public async Task Subscribe_QueryWithInvalidUtf8Byte_Closed4400WithoutServerError()
    {
        // Found by the fuzzer with a CI seed: a raw 0xF2 inside a JSON string parses, and GetString threw (an unhandled
        // exception that ended the connection).
        await using var silo = new FuzzSilo(factory);
        using var sut = await OpenAsync(silo.Factory.Server);
        byte[] frame = [.. """{"id":"1","type":"subscribe","payload":{"query":"{ __typename """u8, 0xF2, .. """ }"}}"""u8];

        await sut.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var received = await sut.ReceiveAsync(buffer, CancellationToken.None);

        // Refused as a malformed message (4400), as any other invalid subscribe payload is; 4500 would be a server error.
        Assert.Equal((WebSocketMessageType.Close, (WebSocketCloseStatus?)4400), (received.MessageType, sut.CloseStatus));
    }

    private static async Task<Connection> ConnectAsync(TestServer server, ConcurrentQueue<string> problems) =>
        new(await OpenAsync(server), problems);

    /// <summary>A connection past connection_init / connection_ack.</summary>
    private static async Task<WebSocket> OpenAsync(TestServer server)
    {
        var client = server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        var socket = await client.ConnectAsync(new Uri(server.BaseAddress, "graphql"), CancellationToken.None);
        await socket.SendAsync("""{"type":"connection_init"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var ack = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("""{"type":"connection_ack"}""", Encoding.UTF8.GetString(buffer, 0, ack.Count));
        return socket;
    }

    private static IEnumerable<Input> Inputs(Mutator mutator)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus(Surface))
        {
            foreach (var line in FuzzRun.Utf8(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return new Input(Encoding.UTF8.GetBytes(line), false, true);
            }
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            var id = mutator.Random.Next(50).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var frame = mutator.Random.Next(6) switch
            {
                0 => """{"type":"ping"}""",
                1 => """{"type":"pong","payload":{"n":1}}""",
                2 => $$"""{"id":"{{id}}","type":"complete"}""",
                _ => JsonSerializer.Serialize(new
                {
                    id,
                    type = "subscribe",
                    payload = new { query = mutator.Pick(Queries), variables = new { first = mutator.Random.Next(-5, 2_000) } },
                }),
            };
            yield return mutator.Random.Next(10) switch
            {
                0 => new Input(mutator.Mutate(Encoding.UTF8.GetBytes(frame)), true, false),
                1 or 2 => new Input(Encoding.UTF8.GetBytes(mutator.Mutate(frame, Dictionary)), false, false),
                _ => new Input(Encoding.UTF8.GetBytes(frame), false, false),
            };
        }
    }
}
