using System.Net;
using Microsoft.Extensions.Configuration;
using Verification.Silo.Cluster;

namespace Verification.Silo.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void Read_Defaults_LoopbackAndSlowFailover()
    {
        var sut = ClusterSettings.Read(Configuration());

        Assert.Equal((IPAddress.Loopback, false, 11111, 30000), (sut.AdvertisedIp, sut.FastFailover, sut.SiloPort, sut.GatewayPort));
    }

    [Fact]
    public void Read_IpAddressAndFastFailover_Used()
    {
        var sut = ClusterSettings.Read(Configuration(("Cluster:AdvertisedAddress", "10.1.2.3"), ("Cluster:FastFailover", "true")));

        Assert.Equal((IPAddress.Parse("10.1.2.3"), true), (sut.AdvertisedIp, sut.FastFailover));
    }

    [Fact]
    public void Read_HostName_ResolvedToIpv4()
    {
        var sut = ClusterSettings.Read(Configuration(("Cluster:AdvertisedAddress", "localhost")));

        Assert.Equal(IPAddress.Loopback, sut.AdvertisedIp);
    }

    [Fact]
    public void Read_EmptyAddress_ThrowsNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClusterSettings.Read(Configuration(("Cluster:AdvertisedAddress", " "))));

        Assert.Equal("Cluster:AdvertisedAddress must be an IP address or a host name, got an empty value.", error.Message);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
