using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Verification.GraphQL.Transport;

namespace Verification.GraphQL.Tests.Conformance;

/// <summary>The reference graphql-ws client (npm) against our WebSocket transport on a loopback Kestrel server.</summary>
public sealed class GraphQLWsClientTests
{
    [Fact]
    public async Task GraphQLWsClient_SubscriptionQueryAndError_AllUnderstood()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.UseWebSockets();
        app.MapGraphQL("/graphql", TestSchema.Schema);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = address.Replace("http://", "ws://", StringComparison.Ordinal) + "/graphql";

        var output = await RunNodeAsync("--experimental-websocket", "ws-client.js", url);

        Assert.Equal(
            """{"subscription":[{"next":{"data":{"count":1}}},{"next":{"data":{"count":2}}},{"next":{"data":{"count":3}}},{"complete":true}]"""
            + ""","query":[{"next":{"data":{"hello":"Hello, ws!"}}},{"complete":true}]"""
            + ""","invalid":[{"error":["Cannot query field \"nope\" on type \"Query\". Did you mean \"node\"?"]}]}""",
            output);
    }

    private static async Task<string> RunNodeAsync(params string[] arguments)
    {
        var directory = RepoPaths.Conformance;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "graphql-ws")))
        {
            throw new InvalidOperationException($"graphql-ws is not installed: run `npm ci` in {directory} (test.sh does this).");
        }

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node could not be started.");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
