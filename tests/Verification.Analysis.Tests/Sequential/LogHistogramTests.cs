using Verification.Analysis.Sequential;

namespace Verification.Analysis.Tests.Sequential;

public sealed class LogHistogramTests
{
    [Fact]
    public void Key_Values_OrderPreserved()
    {
        double[] values = [-1e6, -3.5, -1, -0.01, 0, 1e-9, 0.5, 1, 1.005, 1.02, 250, 1e300];

        var sut = values.Select(LogHistogram.Key).ToArray();

        Assert.Equal(sut.Order().ToArray(), sut);
        Assert.Equal(LogHistogram.Key(1.0), LogHistogram.Key(0.995));
        Assert.NotEqual(LogHistogram.Key(1.0), LogHistogram.Key(1.02));
    }

    [Fact]
    public void Add_SameValuesAnyOrder_SameBuckets()
    {
        var sut = new LogHistogram();
        var reversed = new LogHistogram();
        double[] values = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
        foreach (var v in values)
        {
            sut.Add(v);
        }

        foreach (var v in values.Reverse())
        {
            reversed.Add(v);
        }

        Assert.Equal(11, sut.Count);
        Assert.Equal(3, sut[LogHistogram.Key(5)]);
        Assert.Equal(sut.Keys.Order(), reversed.Keys.Order());
    }
}
