using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>A small Kestrel application on 127.0.0.1 for stand-ins of the services a silo calls (receivers, fake APIs).</summary>
internal static class LoopbackServer
{
    /// <summary>An application bound to <paramref name="port"/> on 127.0.0.1 (0: any free port), without logging.</summary>
    public static WebApplication Create(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        return builder.Build();
    }

    /// <summary>Starts <paramref name="app"/> and answers its base address, ending in a slash.</summary>
    public static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
