using Verification.Api.Contracts;
using Verification.Silo.Grains;

namespace Verification.Silo.Tests.Grains;

public sealed class SampleBatchCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public void Decode_EncodedValues_RoundTripsExactly()
    {
        var batch = new StoredBatch(Cohort.Canary, "latency.p99 µs", At, 0, 0, [0.1, -3.5e-300, double.MaxValue, 42]);

        var sut = SampleBatchCodec.Decode(SampleBatchCodec.Encode(batch));

        Assert.Equal(batch.Values, sut.Values);
        Assert.Equal((batch.Cohort, batch.Metric, batch.At), (sut.Cohort, sut.Metric, sut.At));
    }

    [Fact]
    public void Encode_ThousandValues_CostsEightBytesEach()
    {
        var batch = new StoredBatch(Cohort.Baseline, "m", At, 0, 0, new double[1000]);

        Assert.Equal(1 + 1 + 2 + 1 + 8 + 1 + 4 + 8000, SampleBatchCodec.Encode(batch).Length);
    }

    [Fact]
    public void Decode_EncodedRatio_RoundTrips()
    {
        var batch = new StoredBatch(Cohort.Baseline, "errors", At, 7, long.MaxValue, null);

        Assert.Equal(batch with { }, SampleBatchCodec.Decode(SampleBatchCodec.Encode(batch)));
    }

    [Fact]
    public void Decode_UnknownVersion_Throws()
    {
        var bytes = SampleBatchCodec.Encode(new StoredBatch(Cohort.Baseline, "e", At, 1, 2, null));
        bytes[0] = 9;

        Assert.Throws<InvalidDataException>(() => SampleBatchCodec.Decode(bytes));
    }
}
