using Verification.Api.Contracts;
using Verification.Api.Slo;

namespace Verification.Api.Tests.Slo;

public sealed class SloEventValidationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 12, 0, 30, TimeSpan.Zero);

    private static readonly SloEventWindow[] Windows = [new("availability", Now.AddDays(-3), Now.AddMinutes(5))];

    private static SloEventsInput Input(long good = 9, long total = 10, DateTimeOffset? at = null, string slo = "availability") =>
        new("checkout", slo, good, total, at);

    [Fact]
    public void Validate_NoAt_ReturnsNow()
    {
        Assert.Equal(Now, SloEventValidation.Validate(Input(), Windows, Now));
    }

    [Fact]
    public void Validate_EdgesOfTheWindow_Accepted()
    {
        Assert.Equal(Now.AddDays(-3), SloEventValidation.Validate(Input(at: Now.AddDays(-3)), Windows, Now));
        Assert.Equal(Now.AddMinutes(5), SloEventValidation.Validate(Input(at: Now.AddMinutes(5)), Windows, Now));
    }

    [Theory]
    [InlineData(-1, 10, "good", "must not be negative, got -1")]
    [InlineData(1, -1, "total", "must not be negative, got -1")]
    [InlineData(11, 10, "good", "must not exceed total (11 > 10)")]
    [InlineData(0, 1_000_000_000_001, "total", "at most 1000000000000 events per batch, got 1000000000001")]
    public void Validate_BadCounts_NamesFieldAndReason(long good, long total, string field, string reason)
    {
        var error = Assert.Throws<InputException>(() => SloEventValidation.Validate(Input(good, total), Windows, Now));

        Assert.Equal((field, reason), (error.Field, error.Reason));
    }

    [Fact]
    public void Validate_TooOld_AtNamed()
    {
        var error = Assert.Throws<InputException>(() => SloEventValidation.Validate(Input(at: Now.AddDays(-3).AddTicks(-1)), Windows, Now));

        Assert.Equal("at", error.Field);
        Assert.Contains("too old for SLO 'availability'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoSlos_ServiceNamed()
    {
        var error = Assert.Throws<InputException>(() => SloEventValidation.Validate(Input(), [], Now));

        Assert.Equal(("service", "service 'checkout' has no SLOs; apply its OpenSLO definition first (POST /v1/slos)"), (error.Field, error.Reason));
    }

    [Fact]
    public void Validate_UnknownSlo_SloNamed()
    {
        var error = Assert.Throws<InputException>(() => SloEventValidation.Validate(Input(slo: "latency"), Windows, Now));

        Assert.Equal(("slo", "service 'checkout' has no SLO 'latency'"), (error.Field, error.Reason));
    }
}
