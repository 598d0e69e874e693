using Verification.Analysis.Statistics;

namespace Verification.Analysis.Tests.Statistics;

/// <summary>Expected values from R 4.2.2: pwilcox(3, 4, 5) = 0.0555…, pwilcox(3, 4, 5, lower.tail = FALSE) = 0.9444…, qwilcox(0.025 and 0.975, 4, 5) = 2 and 18.</summary>
public sealed class WilcoxonDistributionTests
{
    [Fact]
    public void Lower_SmallSamples_MatchesPwilcox()
    {
        var sut = new WilcoxonDistribution(4, 5);

        Assert.Equal(0.055555555555555552, sut.Lower(3), 1e-15);
        Assert.Equal(0.94444444444444442, sut.Upper(3), 1e-15);
        Assert.Equal(1, sut.Lower(20));
    }

    [Fact]
    public void Quantile_SmallSamples_MatchesQwilcox()
    {
        var sut = new WilcoxonDistribution(4, 5);

        Assert.Equal(2, sut.Quantile(0.025));
        Assert.Equal(18, sut.Quantile(0.975));
    }

    [Fact]
    public void Constructor_TooLarge_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WilcoxonDistribution(60, 60));
    }
}
