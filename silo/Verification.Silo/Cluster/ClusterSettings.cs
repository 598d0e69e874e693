using System.Net;
using System.Net.Sockets;

namespace Verification.Silo.Cluster;

/// <summary>
/// How this silo joins its cluster (configuration section <c>Cluster</c>, API.md "Contract v1.1 — cluster") and how long
/// idle grains stay in memory (section <c>Grains</c>).
/// </summary>
internal sealed class ClusterSettings
{
    public const string Section = "Cluster";
    public const string GrainsSection = "Grains";
    public const string DefaultId = "verification";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;
    public const int DefaultIdleTimeoutSeconds = 600;

    /// <summary>The cluster (and service) id: silos with the same id and database form one cluster.</summary>
    public string Id { get; set; } = DefaultId;

    /// <summary>Silo-to-silo port; 0 picks a free port (tests, benchmarks).</summary>
    public int SiloPort { get; set; } = DefaultSiloPort;

    /// <summary>Client gateway port; 0 picks a free port.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>The address other silos reach this one at: an IP address, or a host name resolved to its first IPv4 address.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Short membership probe settings (see <see cref="SiloBuilderExtensions"/>): a dead silo is declared dead in seconds.</summary>
    public bool FastFailover { get; set; }

    /// <summary><see cref="AdvertisedAddress"/> as an IPv4 (or IPv6) address, resolved once by <see cref="Read"/>.</summary>
    public IPAddress AdvertisedIp { get; private set; } = IPAddress.Loopback;

    /// <summary>An activation unused this long is deactivated (its state is durable); Orleans' CollectionAge.</summary>
    public int IdleTimeoutSeconds { get; set; } = DefaultIdleTimeoutSeconds;

    public static ClusterSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new ClusterSettings();
        configuration.GetSection(Section).Bind(settings);
        settings.IdleTimeoutSeconds = configuration.GetValue($"{GrainsSection}:IdleTimeoutSeconds", DefaultIdleTimeoutSeconds);
        if (string.IsNullOrWhiteSpace(settings.Id))
        {
            throw new InvalidOperationException($"{Section}:Id must not be empty.");
        }

        if (settings.SiloPort is < 0 or > 65535 || settings.GatewayPort is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{Section}:SiloPort and {Section}:GatewayPort must be between 0 and 65535.");
        }

        settings.AdvertisedIp = ResolveAddress(settings.AdvertisedAddress);

        if (settings.IdleTimeoutSeconds < 60)
        {
            throw new InvalidOperationException($"{GrainsSection}:IdleTimeoutSeconds must be at least 60 (Orleans' collection quantum), got {settings.IdleTimeoutSeconds}.");
        }

        settings.SiloPort = settings.SiloPort == 0 ? FreePort() : settings.SiloPort;
        settings.GatewayPort = settings.GatewayPort == 0 ? FreePort() : settings.GatewayPort;
        return settings;
    }

    private static IPAddress ResolveAddress(string address)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }

        if (string.IsNullOrWhiteSpace(address))
        {
            throw new InvalidOperationException($"{Section}:AdvertisedAddress must be an IP address or a host name, got an empty value.");
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(address);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"{Section}:AdvertisedAddress '{address}' does not resolve: {e.Message}", e);
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"{Section}:AdvertisedAddress '{address}' has no IPv4 address.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
