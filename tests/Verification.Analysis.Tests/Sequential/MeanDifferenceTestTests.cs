using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Sequential;

/// <summary>Expected values from sequential_reference.py.</summary>
public sealed class MeanDifferenceTestTests
{
    [Fact]
    public void Test_Summaries_MatchReference()
    {
        var sut = MeanDifferenceTest.Test(100, 10.7, 4, 120, 10.0, 9, 0.01);

        Assert.Equal(0.7169314792296126, sut.PValue, 1e-12);
        Assert.Equal(-0.5159820050545761, sut.Low, 1e-6);
        Assert.Equal(1.9159820050545746, sut.High, 1e-6);
    }

    [Fact]
    public void LogBelowAnchored_Summaries_MatchReference()
    {
        var sut = MeanDifferenceTest.Of(100, 10.7, 4, 120, 10.0, 9);

        Assert.Equal(1.1768975751230997, sut.LogBelowAnchored(1.5), 1e-12);
        Assert.Equal(1.930098671654472, sut.Upper(0.01, anchored: true), 1e-6);
    }

    [Fact]
    public void Test_FewerThanMinimumObservations_IsUninformative()
    {
        var sut = MeanDifferenceTest.Test(MeanDifferenceTest.MinObservations - 1, 50, 1, 1_000, 10, 1, 0.01);

        Assert.Equal(1, sut.PValue);
        Assert.Equal(40, sut.Estimate);
        Assert.Equal(double.NegativeInfinity, sut.Low);
        Assert.Equal(double.PositiveInfinity, sut.High);
    }

    [Fact]
    public void Test_ConstantCohortsThatDiffer_DifferenceKnownExactly()
    {
        var sut = MeanDifferenceTest.Test(50, 12, 0, 50, 10, 0, 0.01);

        Assert.Equal(0, sut.PValue);
        Assert.Equal(2, sut.Low);
        Assert.Equal(2, sut.High);
    }

    [Fact]
    public void Of_MomentsFromValues_MatchSummaryForm()
    {
        var canary = new Moments();
        var baseline = new Moments();
        for (var i = 0; i < 200; i++)
        {
            canary.Add(100 + (i % 10));
            baseline.Add(99 + (i % 7));
        }

        var sut = MeanDifferenceTest.Of(canary, baseline);

        var expected = MeanDifferenceTest.Of(200, canary.Mean, canary.Variance, 200, baseline.Mean, baseline.Variance);
        Assert.Equal(expected, sut);
        Assert.Equal(104.5, canary.Mean, 1e-12);
    }
}
