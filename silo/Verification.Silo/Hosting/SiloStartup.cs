using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Verification.Silo.Hosting;

/// <summary>
/// Runs the silo, turning the start failures a person causes into one line on stderr and a documented exit code
/// instead of a stack trace: <see cref="BadConfiguration"/> (a configuration value is invalid) and
/// <see cref="CannotListen"/> (a listen address is taken or not allowed).
/// </summary>
internal static class SiloStartup
{
    /// <summary>Exit code: a configuration value is invalid (the message names it).</summary>
    public const int BadConfiguration = 2;

    /// <summary>Exit code: a listen address is in use (another instance?) or not allowed.</summary>
    public const int CannotListen = 3;

    public static int Run(WebApplication app)
    {
        try
        {
            // The ValidateOnStart checks, and binding of every option they cover, before anything starts.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException or FormatException)
        {
            return Fail(BadConfiguration, $"invalid configuration: {OneLine(e)}");
        }

        // Only Kestrel listens; an in-process test server has no address to be taken.
        var kestrel = app.Services.GetService<IServer>()?.GetType().Assembly == typeof(KestrelServerOptions).Assembly;
        foreach (var url in kestrel ? Urls(app.Configuration) : [])
        {
            if (Unavailable(url) is { } reason)
            {
                return Fail(CannotListen, $"cannot listen on {url}: {reason}; choose another address with --urls.");
            }
        }

        try
        {
            app.Run();
            return 0;
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            return Fail(CannotListen, $"cannot listen: {OneLine(e)}");
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            return Fail(BadConfiguration, $"invalid configuration: {OneLine(e)}");
        }
        catch (Verification.Api.Access.AccessStartupException e)
        {
            return Fail(BadConfiguration, $"refusing to start: {OneLine(e)}");
        }
    }

    private static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"Verification.Silo: {message}");
        return code;
    }

    private static string OneLine(Exception e) =>
        string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IEnumerable<string> Urls(IConfiguration configuration) =>
        (configuration[WebHostDefaults.ServerUrlsKey] ?? SiloDefaults.Urls)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Why <paramref name="url"/> cannot be listened on, found by binding it for a moment; null when it can.</summary>
    private static string? Unavailable(string url)
    {
        if (!BindingAddress.TryParse(url, out var endpoint))
        {
            return null; // Kestrel's own parser reports what it does not understand.
        }

        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse)
        {
            return "the address is already in use (another instance running?)";
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.AddressNotAvailable)
        {
            return e.Message;
        }
    }

    private static class BindingAddress
    {
        public static bool TryParse(string url, out IPEndPoint endpoint)
        {
            endpoint = null!;
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal),
                    UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                return false;
            }

            var address = uri.Host switch
            {
                "localhost" => IPAddress.Loopback,
                _ when IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) => ip,
                _ => null,
            };
            if (address is null)
            {
                return false;
            }

            endpoint = new IPEndPoint(address, uri.Port);
            return true;
        }
    }
}
