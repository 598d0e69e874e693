using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class MinuteClockTests
{
    [Theory]
    [InlineData(7, 3, 2)]
    [InlineData(-7, 3, -3)]
    [InlineData(-6, 3, -2)]
    [InlineData(0, 5, 0)]
    public void FloorDiv_Values_RoundsTowardsNegativeInfinity(long value, long divisor, long expected)
    {
        Assert.Equal(expected, MinuteClock.FloorDiv(value, divisor));
    }

    [Fact]
    public void MinuteOf_SecondBeforeEpoch_MinusOne()
    {
        Assert.Equal(-1, MinuteClock.MinuteOf(DateTimeOffset.UnixEpoch.AddSeconds(-1)));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMinutes(-1), MinuteClock.StartOf(-1));
    }

    [Fact]
    public void CeilingMinuteOf_OnAndAfterBoundary_SameAndNext()
    {
        var boundary = DateTimeOffset.UnixEpoch.AddMinutes(10);

        Assert.Equal(10, MinuteClock.CeilingMinuteOf(boundary));
        Assert.Equal(11, MinuteClock.CeilingMinuteOf(boundary.AddTicks(1)));
    }
}
