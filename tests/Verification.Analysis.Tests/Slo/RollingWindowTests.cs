using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class RollingWindowTests
{
    [Fact]
    public void PeriodAt_MidMinute_WholeMinutesEndingWithTheCurrentOne()
    {
        var sut = new RollingWindow(TimeSpan.FromHours(1));

        // 12:00:30 lies in minute 12:00; the hour is minutes 11:01 … 12:00, i.e. [11:01, 12:01).
        var period = sut.PeriodAt(new DateTimeOffset(2026, 1, 10, 12, 0, 30, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 10, 11, 1, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 12, 1, 0, TimeSpan.Zero), period.End);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(367 * 24 * 3600)]
    public void Constructor_NotWholeMinutesOrTooLong_Throws(int seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingWindow(TimeSpan.FromSeconds(seconds)));
    }
}
