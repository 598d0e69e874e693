// A GraphQL subscription client for the terminal (graphql-transport-ws), with nothing to install but the .NET SDK:
//   dotnet run tools/graphql-subscribe.cs -- [--url ws://127.0.0.1:5080/graphql] [--count N] 'subscription { … }'
// Prints every `next` payload as one JSON line; stops after N of them (default: never), on `complete`, or on Ctrl+C.
// Exit codes: 0 done, 1 the server answered an error or closed the connection, 2 usage.
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

var relaxed = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
var url = "ws://127.0.0.1:5080/graphql";
var count = int.MaxValue;
string? query = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--url" when i + 1 < args.Length:
            url = args[++i];
            break;
        case "--count" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
            count = n;
            i++;
            break;
        default:
            query = query is null && !args[i].StartsWith("--", StringComparison.Ordinal) ? args[i] : null;
            if (query is null)
            {
                Console.Error.WriteLine("usage: dotnet run tools/graphql-subscribe.cs -- [--url ws://host:port/graphql] [--count N] 'subscription { … }'");
                return 2;
            }

            break;
    }
}

if (query is null)
{
    Console.Error.WriteLine("usage: dotnet run tools/graphql-subscribe.cs -- [--url ws://host:port/graphql] [--count N] 'subscription { … }'");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

using var socket = new ClientWebSocket();
socket.Options.AddSubProtocol("graphql-transport-ws");
try
{
    await socket.ConnectAsync(new Uri(url), stop.Token);
    await SendAsync(new JsonObject { ["type"] = "connection_init" });
    await SendAsync(new JsonObject { ["type"] = "subscribe", ["id"] = "1", ["payload"] = new JsonObject { ["query"] = query } });
    var received = 0;
    while (received < count)
    {
        var message = await ReceiveAsync();
        if (message is null)
        {
            Console.Error.WriteLine($"closed by the server: {(int?)socket.CloseStatus} {socket.CloseStatusDescription}");
            return 1;
        }

        switch (message["type"]?.GetValue<string>())
        {
            case "next":
                Console.WriteLine(message["payload"]!.ToJsonString(relaxed));
                received++;
                break;
            case "error":
                Console.Error.WriteLine(message["payload"]!.ToJsonString(relaxed));
                return 1;
            case "complete":
                return 0;
            case "ping":
                await SendAsync(new JsonObject { ["type"] = "pong" });
                break;
        }
    }

    await SendAsync(new JsonObject { ["type"] = "complete", ["id"] = "1" });
    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
catch (WebSocketException e)
{
    Console.Error.WriteLine($"{url}: {e.Message}");
    return 1;
}

async Task SendAsync(JsonObject message) =>
    await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, stop.Token);

async Task<JsonNode?> ReceiveAsync()
{
    var buffer = new byte[16 * 1024];
    using var text = new MemoryStream();
    while (true)
    {
        var result = await socket.ReceiveAsync(buffer, stop.Token);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        text.Write(buffer, 0, result.Count);
        if (result.EndOfMessage)
        {
            return JsonNode.Parse(text.ToArray());
        }
    }
}
