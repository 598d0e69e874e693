using Verification.Analysis.Statistics;

namespace Verification.Analysis.Tests.Statistics;

public sealed class SortedSampleTests
{
    [Fact]
    public void Sorted_ValuesAddedBetweenReads_MergedInOrder()
    {
        var sut = new SortedSample();
        foreach (var v in new[] { 5.0, 1, 3 })
        {
            sut.Add(v);
        }

        var first = sut.Sorted().ToArray();
        foreach (var v in new[] { 4.0, 0, 6, 3 })
        {
            sut.Add(v);
        }

        var second = sut.Sorted();

        Assert.Equal([1.0, 3, 5], first);
        Assert.Equal([0.0, 1, 3, 3, 4, 5, 6], second);
        Assert.Equal(7, sut.Count);
    }
}
