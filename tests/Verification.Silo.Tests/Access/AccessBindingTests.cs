using Verification.Api.Access;

namespace Verification.Silo.Tests.Access;

public sealed class AccessBindingTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080;http://[::1]:5081", true)]
    [InlineData("http://127.0.0.2:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://127.0.0.1:5080;http://10.0.0.5:5080", false)]
    [InlineData("http://verification.internal:5080", false)]
    public void FromUrls_Addresses_LoopbackOnlyWhenEveryOneIs(string urls, bool expected)
    {
        var sut = AccessBinding.FromUrls(urls);

        Assert.Equal(expected, sut.LoopbackOnly);
    }

    [Theory]
    [InlineData("checkout", true)]
    [InlineData("pay-api", true)]
    [InlineData("pay-", true)]
    [InlineData("pay", false)]
    [InlineData("checkout-v2", false)]
    public void Matches_ExactNamesAndPrefixes_AsListed(string service, bool expected)
    {
        Assert.Equal(expected, ServicePatterns.Matches(["checkout", "pay-*"], service));
    }

    [Fact]
    public void Caller_AdminScope_HoldsEveryScope()
    {
        var sut = new Caller("root", "1", [Scopes.Admin], null);

        Assert.All(Scopes.All, scope => Assert.True(sut.Has(scope)));
    }
}
