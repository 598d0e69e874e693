using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Sequential;

/// <summary>Expected values from SequentialReference.R.</summary>
public sealed class MeanDifferenceTestTests
{
    [Fact]
    public void Test_Summaries_MatchReference()
    {
        var sut = MeanDifferenceTest.Test(100, 10.7, 4, 120, 10.0, 9, 0.01);

        Assert.Equal(0.4050368111626933, sut.PValue, 1e-12);
        Assert.Equal(-0.55462975948102722, sut.Low, 1e-12);
        Assert.Equal(1.9546297594810271, sut.High, 1e-12);
    }

    [Fact]
    public void Test_FewerThanMinimumObservations_IsUninformative()
    {
        var sut = MeanDifferenceTest.Test(MeanDifferenceTest.MinObservations - 1, 50, 1, 1_000, 10, 1, 0.01);

        Assert.Equal(1, sut.PValue);
        Assert.Equal(40, sut.Estimate);
        Assert.Equal(double.NegativeInfinity, sut.Low);
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
    public void Test_MomentsFromValues_MatchSummaryForm()
    {
        var canary = new Moments();
        var baseline = new Moments();
        for (var i = 0; i < 200; i++)
        {
            canary.Add(100 + (i % 10));
            baseline.Add(99 + (i % 7));
        }

        var sut = MeanDifferenceTest.Test(canary, baseline, 0.01);

        var expected = MeanDifferenceTest.Test(200, canary.Mean, canary.Variance, 200, baseline.Mean, baseline.Variance, 0.01);
        Assert.Equal(expected, sut);
        Assert.Equal(104.5, canary.Mean, 1e-12);
    }
}
