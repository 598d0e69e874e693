using Verification.Analysis.Dora;

namespace Verification.Analysis.Tests.Dora;

public sealed class PercentileTests
{
    // Reference: R `quantile(c(1, 2, 4, 8, 16), c(0.5, 0.9), type = 7)` = 4, 12.8
    // (h = 4 · 0.9 = 3.6 → 8 + 0.6 · 8 = 12.8).
    [Theory]
    [InlineData(0.5, 4.0)]
    [InlineData(0.9, 12.8)]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 16.0)]
    public void Of_FiveValues_Type7(double p, double expected)
    {
        Assert.Equal(expected, Percentile.Of([16, 1, 8, 2, 4], p)!.Value, 12);
    }

    [Fact]
    public void Of_Empty_Null()
    {
        Assert.Null(Percentile.Of([], 0.5));
    }
}
