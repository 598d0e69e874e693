using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Verification.GraphQL.Transport;

namespace Verification.GraphQL.Tests.Transport;

public sealed class GraphQLWebSocketTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private WebApplication _app = null!;

    public async Task InitializeAsync() => _app = await StartAsync(TimeSpan.FromSeconds(30));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<WebApplication> StartAsync(TimeSpan initTimeout)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGraphQL("/graphql", TestSchema.Schema, o =>
        {
            o.OnConnectionInit = (_, payload) => ValueTask.FromResult(payload?.GetValueOrDefault("token") as string != "bad");
            o.ConnectionInitTimeout = initTimeout;
        });
        await app.StartAsync();
        return app;
    }

    private Task<WebSocket> ConnectAsync(string? subprotocol = GraphQLWebSocketSession.Subprotocol) => ConnectAsync(_app, subprotocol);

    private static async Task<WebSocket> ConnectAsync(WebApplication app, string? subprotocol = GraphQLWebSocketSession.Subprotocol)
    {
        var client = app.GetTestServer().CreateWebSocketClient();
        if (subprotocol is not null)
        {
            client.SubProtocols.Add(subprotocol);
        }

        using var cts = new CancellationTokenSource(Deadline);
        return await client.ConnectAsync(new Uri(app.GetTestServer().BaseAddress, "graphql"), cts.Token);
    }

    private static async Task SendAsync(WebSocket socket, string json)
    {
        using var cts = new CancellationTokenSource(Deadline);
        await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cts.Token);
    }

    /// <summary>The next text message, or "close:CODE" when the server closes.</summary>
    private static async Task<string> ReceiveAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var buffer = new byte[16384];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return $"close:{(int?)result.CloseStatus}";
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(message.ToArray());
    }

    private async Task<WebSocket> InitializedAsync()
    {
        var socket = await ConnectAsync();
        await SendAsync(socket, """{"type":"connection_init"}""");
        Assert.Equal("""{"type":"connection_ack"}""", await ReceiveAsync(socket));
        return socket;
    }

    [Fact]
    public async Task Subscribe_Counter_StreamsNextThenComplete()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"id":"1","type":"subscribe","payload":{"query":"subscription { count(to: 3) }"}}""");
        Assert.Equal("""{"id":"1","type":"next","payload":{"data":{"count":1}}}""", await ReceiveAsync(sut));
        Assert.Equal("""{"id":"1","type":"next","payload":{"data":{"count":2}}}""", await ReceiveAsync(sut));
        Assert.Equal("""{"id":"1","type":"next","payload":{"data":{"count":3}}}""", await ReceiveAsync(sut));
        Assert.Equal("""{"id":"1","type":"complete"}""", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task Subscribe_Query_SingleNextThenComplete()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"id":"q","type":"subscribe","payload":{"query":"{ hello }"}}""");
        Assert.Equal("""{"id":"q","type":"next","payload":{"data":{"hello":"Hello, world!"}}}""", await ReceiveAsync(sut));
        Assert.Equal("""{"id":"q","type":"complete"}""", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task Subscribe_InvalidDocument_SendsError()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"id":"e","type":"subscribe","payload":{"query":"subscription { count }"}}""");
        Assert.Equal(
            """{"id":"e","type":"error","payload":[{"message":"Field \"count\" argument \"to\" of type \"Int!\" is required, but it was not provided.","locations":[{"line":1,"column":16}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}""",
            await ReceiveAsync(sut));
    }

    [Fact]
    public async Task Ping_RepliesPong()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task Subscribe_BeforeAck_Closes4401()
    {
        using var sut = await ConnectAsync();
        await SendAsync(sut, """{"id":"1","type":"subscribe","payload":{"query":"{ hello }"}}""");
        Assert.Equal("close:4401", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task ConnectionInit_Twice_Closes4429()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"type":"connection_init"}""");
        Assert.Equal("close:4429", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task ConnectionInit_Rejected_Closes4403()
    {
        using var sut = await ConnectAsync();
        await SendAsync(sut, """{"type":"connection_init","payload":{"token":"bad"}}""");
        Assert.Equal("close:4403", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task InvalidMessage_Closes4400()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"type":"what"}""");
        Assert.Equal("close:4400", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task NoConnectionInit_Closes4408()
    {
        // A dedicated server whose init timeout is short; the client sends nothing and waits for the close.
        await using var app = await StartAsync(TimeSpan.FromMilliseconds(50));
        using var sut = await ConnectAsync(app);
        Assert.Equal("close:4408", await ReceiveAsync(sut));
    }

    [Fact]
    public async Task Subscribe_DuplicateId_Closes4409()
    {
        using var sut = await InitializedAsync();
        await SendAsync(sut, """{"id":"d","type":"subscribe","payload":{"query":"subscription { count(to: 100000) }"}}""");
        await SendAsync(sut, """{"id":"d","type":"subscribe","payload":{"query":"subscription { count(to: 1) }"}}""");
        string message;
        do
        {
            message = await ReceiveAsync(sut);
        }
        while (message.StartsWith('{'));

        Assert.Equal("close:4409", message);
    }

    [Fact]
    public async Task Connect_WithoutSubprotocol_Closes4406()
    {
        using var sut = await ConnectAsync(null);
        Assert.Equal("close:4406", await ReceiveAsync(sut));
    }
}
