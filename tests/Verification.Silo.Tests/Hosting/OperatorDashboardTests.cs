using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Hosting;

/// <summary>The Orleans Dashboard at /orleans: absent by default; with Dashboard:Enabled, served to loopback clients only.</summary>
public sealed class OperatorDashboardTests
{
    [Fact]
    public async Task Orleans_Default_NotServed()
    {
        await using var factory = new SiloFactory();
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/orleans/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Orleans_EnabledLoopbackThenRemoteClient_PageThen403()
    {
        await using var factory = new SiloFactory();
        await using var sut = factory.WithWebHostBuilder(b => b.UseSetting("Dashboard:Enabled", "true"));
        var server = sut.Server;

        var local = await server.SendAsync(c => Get(c, IPAddress.Loopback));
        var remote = await server.SendAsync(c => Get(c, IPAddress.Parse("192.0.2.7")));

        Assert.Equal(StatusCodes.Status200OK, local.Response.StatusCode);
        Assert.StartsWith("text/html", local.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status403Forbidden, remote.Response.StatusCode);
        Assert.Equal("application/problem+json", remote.Response.ContentType);
    }

    private static void Get(HttpContext context, IPAddress client)
    {
        context.Request.Method = "GET";
        context.Request.Path = "/orleans/";
        context.Connection.RemoteIpAddress = client;
    }
}
