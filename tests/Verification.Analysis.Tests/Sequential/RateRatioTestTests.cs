using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Sequential;

/// <summary>Expected values from SequentialReference.R (the mixture and its inversion written out in R).</summary>
public sealed class RateRatioTestTests
{
    [Fact]
    public void Test_ZeroErrorBaselineAgainst20Of10000_RejectsWithUnboundedUpperBound()
    {
        var sut = RateRatioTest.Test(20, 10_000, 0, 10_000, 0.01);

        Assert.Equal(0.00014738025004085707, sut.PValue, 1e-9);
        Assert.Equal(double.PositiveInfinity, sut.Estimate);
        Assert.Equal(double.PositiveInfinity, sut.High);
        Assert.True(sut.Low > 0);
    }

    [Theory]
    [InlineData(30, 10_000, 12, 10_000, 0.084806033718348342, -0.21148873567385487, 2.2551579637671129)]
    [InlineData(7, 3_000, 9, 5_000, 1.0, -1.557499233896523, 1.9542892515973391)]
    public void Test_Counts_MatchReference(long xc, long nc, long xb, long nb, double p, double low, double high)
    {
        var sut = RateRatioTest.Test(xc, nc, xb, nb, 0.01);

        Assert.Equal(p, sut.PValue, 1e-9);
        Assert.Equal(low, sut.Low, 1e-6);
        Assert.Equal(high, sut.High, 1e-6);
        Assert.Equal(Math.Log(xc * (double)nb / (xb * (double)nc)), sut.Estimate, 1e-12);
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
