using Verification.Silo.Ingestion.Otlp;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class DistributionTests
{
    private static ExponentialDistribution Exponential(
        int scale, ulong zero, int positiveOffset, ulong[] positive, int negativeOffset = 0, ulong[]? negative = null,
        double? min = null, double? max = null) =>
        new(scale, zero, 0, ExponentialDistribution.FromDense(positiveOffset, positive),
            ExponentialDistribution.FromDense(negativeOffset, negative ?? []), null, min, max);

    [Fact]
    public void Observations_ExplicitBuckets_MidpointsAndOpenBucketsAtFiniteBound()
    {
        var sut = new ExplicitDistribution([1, 2, 5], [1, 2, 0, 1], sum: null, min: null, max: null);

        Assert.Equal([1, 1.5, 1.5, 5], sut.Observations(100));
    }

    [Fact]
    public void Observations_ExplicitBucketsWithMinMax_BucketsClampedToRange()
    {
        var sut = new ExplicitDistribution([1, 2, 5], [1, 2, 0, 1], sum: null, min: 0.5, max: 7);

        Assert.Equal([0.75, 1.5, 1.5, 6], sut.Observations(100));
    }

    [Fact]
    public void Observations_NoBuckets_MeanStandsForAll()
    {
        var sut = new ExplicitDistribution([], [3], sum: 6, min: null, max: null);

        Assert.Equal([2, 2, 2], sut.Observations(100));
    }

    [Fact]
    public void Observations_OverCap_ThinnedByLargestRemainder()
    {
        var sut = new ExplicitDistribution([1, 2], [1, 2, 7], sum: null, min: null, max: null);

        // Quotas 0.5, 1, 3.5 of 5: floors 0, 1, 3 and the one left goes to the first tied remainder.
        Assert.Equal([1, 1.5, 2, 2, 2], sut.Observations(5));
    }

    [Fact]
    public void Observations_Exponential_LogMidpointsWithZeroAndNegativeBuckets()
    {
        // Scale 0: base 2; positive index 1 is (2, 4], index 2 is (4, 8]; negative index 0 is [-2, -1).
        var sut = Exponential(scale: 0, zero: 1, positiveOffset: 1, positive: [1, 2], negativeOffset: 0, negative: [1]);

        Assert.Equal([-Math.Sqrt(2), 0, Math.Sqrt(8), Math.Sqrt(32), Math.Sqrt(32)], sut.Observations(100));
        Assert.Equal(5UL, sut.Count);
    }

    [Fact]
    public void Observations_ExponentialNegativeScale_WideBuckets()
    {
        // Scale -1: base 4; index 1 is (4, 16], middle in log space 8.
        var sut = Exponential(scale: -1, zero: 0, positiveOffset: 1, positive: [2]);

        Assert.Equal([8, 8], sut.Observations(100));
    }

    [Fact]
    public void Observations_ExponentialWithMinMax_ExtremeBucketsClamped()
    {
        var sut = Exponential(scale: 0, zero: 0, positiveOffset: 1, positive: [1, 1], min: 3, max: 5);

        Assert.Equal([Math.Sqrt(12), Math.Sqrt(20)], sut.Observations(100));
    }

    [Theory]
    [InlineData(0.5, 3UL)]
    [InlineData(0.1, 6UL)]
    [InlineData(0.25, 6UL)]
    [InlineData(0.35, 3UL)]
    [InlineData(1.0, 1UL)]
    [InlineData(5.0, 0UL)] // inside the open bucket, which stands at its finite bound 1
    public void CountAbove_Thresholds_ExactAtBoundsMidpointRuleInside(double threshold, ulong expected)
    {
        var sut = new ExplicitDistribution([0.1, 0.5, 1], [5, 3, 2, 1], sum: null, min: null, max: null);

        Assert.Equal(expected, sut.CountAbove(threshold));
    }

    [Fact]
    public void Since_ExplicitSameBounds_BucketIncreasesWithoutMinMax()
    {
        var earlier = new ExplicitDistribution([1, 2], [1, 1, 0], sum: 2, min: 0.5, max: 1.5);
        var sut = new ExplicitDistribution([1, 2], [2, 3, 1], sum: 9, min: 0.5, max: 3);

        var delta = sut.Since(earlier)!;

        Assert.Equal([1UL, 2, 1], delta.Counts);
        Assert.Equal(7, delta.Sum);
        Assert.Equal([1, 1.5, 1.5, 2], delta.Observations(100));
    }

    [Theory]
    [InlineData(new[] { 1.0, 3.0 }, new ulong[] { 2, 3, 1 })]
    [InlineData(new[] { 1.0, 2.0 }, new ulong[] { 0, 3, 1 })]
    public void Since_ExplicitLayoutChangedOrDecreased_Reset(double[] bounds, ulong[] counts)
    {
        var earlier = new ExplicitDistribution([1, 2], [1, 1, 0], sum: null, min: null, max: null);
        var sut = new ExplicitDistribution(bounds, counts, sum: null, min: null, max: null);

        Assert.Null(sut.Since(earlier));
    }

    [Fact]
    public void Since_ExponentialDownscaled_EarlierMergedToNewScale()
    {
        // Scale 1 indices 0..3 merge pairwise into scale 0 indices 0 and 1.
        var earlier = Exponential(scale: 1, zero: 1, positiveOffset: 0, positive: [1, 1, 1, 1]);
        var sut = Exponential(scale: 0, zero: 2, positiveOffset: 0, positive: [3, 5]);

        var delta = sut.Since(earlier)!;

        Assert.Equal(new SortedDictionary<int, ulong> { [0] = 1, [1] = 3 }, delta.Positive);
        Assert.Equal(1UL, delta.ZeroCount);
        Assert.Equal(5UL, delta.Count);
    }

    [Fact]
    public void Since_ExponentialHigherScale_Reset()
    {
        var earlier = Exponential(scale: 0, zero: 0, positiveOffset: 0, positive: [1]);
        var sut = Exponential(scale: 1, zero: 0, positiveOffset: 0, positive: [5]);

        Assert.Null(sut.Since(earlier));
    }

    [Fact]
    public void Validate_InconsistentHistograms_Reasons()
    {
        Assert.Null(ExplicitDistribution.Validate([1], [1, 2], 3));
        Assert.Equal("count 4 differs from the sum of bucket_counts 3", ExplicitDistribution.Validate([1], [1, 2], 4));
        Assert.Equal("2 bucket_counts for 2 explicit_bounds (must be one more)", ExplicitDistribution.Validate([1, 2], [1, 2], 3));
        Assert.Equal("explicit_bounds must be finite and strictly increasing", ExplicitDistribution.Validate([2, 1], [1, 1, 1], 3));
    }
}
