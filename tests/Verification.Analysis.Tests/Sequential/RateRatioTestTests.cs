using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Sequential;

/// <summary>Expected values from sequential_reference.py (the mixtures and their inversion written out with SciPy).</summary>
public sealed class RateRatioTestTests
{
    [Fact]
    public void Test_ZeroErrorBaselineAgainst20Of10000_RejectsWithUnboundedUpperBound()
    {
        var sut = RateRatioTest.Test(20, 10_000, 0, 10_000, 0.01);

        Assert.Equal(0.0009451082930828281, sut.PValue, 1e-12);
        Assert.Equal(double.PositiveInfinity, sut.Estimate);
        Assert.Equal(double.PositiveInfinity, sut.High);
        Assert.Equal(0.6490288809277681, sut.Low, 1e-6);
    }

    [Theory]
    [InlineData(30, 10_000, 12, 10_000, 0.06619825248480847, -0.13180282183964598, 2.16837224957209)]
    [InlineData(7, 3_000, 9, 5_000, 1.0, -1.862566234417232, 2.103157282343357)]
    public void Test_Counts_MatchReference(long xc, long nc, long xb, long nb, double p, double low, double high)
    {
        var sut = RateRatioTest.Test(xc, nc, xb, nb, 0.01);

        Assert.Equal(p, sut.PValue, 1e-12);
        Assert.Equal(low, sut.Low, 1e-6);
        Assert.Equal(high, sut.High, 1e-6);
        Assert.Equal(Math.Log(xc * (double)nb / (xb * (double)nc)), sut.Estimate, 1e-12);
    }

    [Theory]
    [InlineData(20, 0, 0.0035701725326572373)]
    [InlineData(30, 12, 0.528675700810728)]
    public void PValueAbove_AgainstFiftyPercentMore_MatchesReference(long xc, long xb, double expected)
    {
        var sut = RateRatioTest.Of(xc, 10_000, xb, 10_000);

        Assert.Equal(expected, sut.PValueAbove(Math.Log(1.5)), 1e-12);
    }

    [Theory]
    [InlineData(15, 2, 4.075013541208982)]
    [InlineData(25, 8, 3.964377892811228)]
    [InlineData(14, 1, 4.3790410436331015)]
    [InlineData(9, 0, 3.0873477084592937)]
    public void LogAbove_NoChangeAtEqualExposure_MatchesReference(long xc, long xb, double expected)
    {
        var sut = RateRatioTest.Of(xc, 1_500, xb, 1_500);

        Assert.Equal(expected, sut.LogAbove(0), 1e-12);
    }

    [Theory]
    [InlineData(30, 10_000, 12, 10_000, -2.508054866684519)]
    [InlineData(7, 3_000, 9, 5_000, -0.29653437315929826)]
    public void LogBelowAnchored_AgainstFiftyPercentMore_MatchesReference(long xc, long nc, long xb, long nb, double expected)
    {
        var sut = RateRatioTest.Of(xc, nc, xb, nb);

        Assert.Equal(expected, sut.LogBelowAnchored(Math.Log(1.5)), 1e-12);
    }

    [Fact]
    public void LogBelowAnchored_NullBelowNoChange_IsThePlainMixture()
    {
        var sut = RateRatioTest.Of(30, 10_000, 12, 10_000);

        Assert.Equal(sut.LogBelow(-0.1), sut.LogBelowAnchored(-0.1));
    }

    [Fact]
    public void Lower_AtItsOwnValue_EvidenceEqualsTheLevel()
    {
        var sut = RateRatioTest.Of(90, 20_000, 40, 20_000);

        var low = sut.Lower(0.001);

        Assert.Equal(Math.Log(1000), sut.LogAbove(low), 1e-4);
    }

    [Fact]
    public void Test_NoEvents_IsUninformative()
    {
        var sut = RateRatioTest.Test(0, 5_000, 0, 5_000, 0.01);

        Assert.Equal(1, sut.PValue);
        Assert.Equal(0, sut.Estimate);
        Assert.Equal(double.NegativeInfinity, sut.Low);
        Assert.Equal(double.PositiveInfinity, sut.High);
    }

    [Fact]
    public void Test_TrafficVolumeScaledTogether_SameEvidence()
    {
        var small = RateRatioTest.Test(40, 1_000, 20, 1_000, 0.01);

        var sut = RateRatioTest.Test(40, 1_000_000, 20, 1_000_000, 0.01);

        Assert.Equal(small.PValue, sut.PValue, 1e-12);
        Assert.Equal(small.Low, sut.Low, 1e-9);
    }

    [Fact]
    public void Test_ZeroExposure_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RateRatioTest.Test(0, 0, 1, 10, 0.01));
    }
}
