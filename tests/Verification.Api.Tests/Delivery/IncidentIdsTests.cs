using Verification.Api.Contracts;
using Verification.Api.Delivery;

namespace Verification.Api.Tests.Delivery;

public sealed class IncidentIdsTests
{
    [Theory]
    [InlineData("checkout", 1, "checkout-1")]
    [InlineData("check-out", 12, "check-out-12")]
    public void FormatThenParse_RoundTrips(string service, long number, string id)
    {
        Assert.Equal(id, IncidentIds.Format(service, number));
        Assert.Equal((service, number), IncidentIds.Parse(id));
    }

    [Theory]
    [InlineData("checkout")]
    [InlineData("-1")]
    [InlineData("checkout-")]
    [InlineData("checkout-0")]
    [InlineData("checkout-x1")]
    [InlineData("checkout-+1")]
    public void Parse_NotAnId_InputErrorOnId(string id)
    {
        var error = Assert.Throws<InputException>(() => IncidentIds.Parse(id));

        Assert.Equal("id", error.Field);
    }
}
