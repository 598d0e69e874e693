using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class SloBucketCodecTests
{
    [Fact]
    public void Encode_TwoBuckets_ExactBytes()
    {
        // Minute 1 → zig-zag 2; bad 0, total 5; next minute 3 → gap 2; bad 1, total 200 → 0xC8 0x01.
        SloBucket[] buckets = [new(1, 5, 5), new(3, 199, 200)];

        var sut = SloBucketCodec.Encode(buckets);

        Assert.Equal([1, 2, 2, 0, 5, 2, 1, 0xC8, 0x01], sut);
    }

    [Fact]
    public void Decode_Encoded_RoundTrip()
    {
        SloBucket[] buckets = [new(-7, 0, 0), new(29_460_000, 990, 1000), new(29_460_001, long.MaxValue - 1, long.MaxValue)];

        var sut = SloBucketCodec.Decode(SloBucketCodec.Encode(buckets));

        Assert.Equal(buckets, sut);
    }

    [Fact]
    public void Decode_SnapshotOfBuckets_RestoresSameState()
    {
        var now = new DateTimeOffset(2026, 1, 10, 12, 0, 30, TimeSpan.Zero);
        var policy = new SloPolicy(0.99, new RollingWindow(TimeSpan.FromDays(7)));
        var original = new SloBuckets(policy);
        original.Add(now.AddDays(-1), 50, 60, now);
        original.Add(now, 9, 10, now);

        var sut = SloBuckets.Restore(policy, SloBucketCodec.Decode(SloBucketCodec.Encode(original.Snapshot())));

        Assert.Equal(original.Snapshot(), sut.Snapshot());
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 2, 0 })]
    [InlineData(new byte[] { 1, 1, 2, 0 })]
    [InlineData(new byte[] { 1, 1, 2, 3, 2 })]
    [InlineData(new byte[] { 1, 0, 0 })]
    [InlineData(new byte[] { 1, 100, 2, 0, 5 })]
    public void Decode_Corrupt_FormatException(byte[] bytes)
    {
        // Empty, wrong version, truncated, bad > total, trailing byte, count beyond the data.
        Assert.Throws<FormatException>(() => SloBucketCodec.Decode(bytes));
    }
}
