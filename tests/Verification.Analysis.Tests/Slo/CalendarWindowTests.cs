using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class CalendarWindowTests
{
    [Fact]
    public void PeriodAt_BerlinMonthJustAfterLocalMidnight_MarchPeriodInUtc()
    {
        var sut = new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 1), "Europe/Berlin");

        // 2026-02-28T23:30Z is 2026-03-01 00:30 CET (+1): already March in Berlin.
        // March starts 00:00 CET = 2026-02-28T23:00Z and ends 2026-04-01 00:00 CEST (+2, DST began
        // on Sunday 29 March) = 2026-03-31T22:00Z: 31 days less the skipped hour = 743 h.
        var period = sut.PeriodAt(new DateTimeOffset(2026, 2, 28, 23, 30, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero), period.End);
        Assert.Equal(TimeSpan.FromHours(743), period.Length);
    }

    [Fact]
    public void PeriodAt_BerlinJustBeforeLocalMidnight_FebruaryPeriod()
    {
        var sut = new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 1), "Europe/Berlin");

        // 2026-02-28T22:59Z is 23:59 CET on 28 February.
        var period = sut.PeriodAt(new DateTimeOffset(2026, 2, 28, 22, 59, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 31, 23, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void PeriodAt_KolkataWeekStartingMonday_HalfHourOffsetBoundaries()
    {
        // Monday 2026-01-05 00:00 IST (+5:30) anchors weeks; Wednesday 2026-01-14 17:30 IST
        // (12:00Z) lies in the week from Monday 12 January 00:00 IST = 2026-01-11T18:30Z.
        var sut = new CalendarWindow(CalendarUnit.Week, 1, new DateTime(2026, 1, 5), "Asia/Kolkata");

        var period = sut.PeriodAt(new DateTimeOffset(2026, 1, 14, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 1, 11, 18, 30, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 1, 18, 18, 30, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void PeriodAt_StartOnThe31st_ShortMonthsEndOnTheirLastDay()
    {
        // Months counted from 31 January: the February period starts on 28 February (no 31st),
        // the March one on 31 March again, since each start is StartTime + k months.
        var sut = new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 31), "UTC");

        var period = sut.PeriodAt(new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void PeriodAt_BeforeStartTime_PeriodsExtendBackwards()
    {
        var sut = new CalendarWindow(CalendarUnit.Quarter, 1, new DateTime(2026, 1, 1), "UTC");

        var period = sut.PeriodAt(new DateTimeOffset(2025, 11, 3, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void PeriodAt_DailyStartInSpringForwardGap_TakenWithOffsetBeforeTheJump()
    {
        // Days start at 02:30 Berlin time. On 29 March 2026 clocks jump from 02:00 CET to 03:00
        // CEST, so 02:30 does not exist: it is read with the offset before the jump (+1), i.e.
        // 01:30Z (= 03:30 CEST). The day before started at 02:30 CET = 01:30Z as well, so that day
        // is 24 h long; the next starts at 02:30 CEST = 00:30Z.
        var sut = new CalendarWindow(CalendarUnit.Day, 1, new DateTime(2026, 1, 1, 2, 30, 0), "Europe/Berlin");

        var period = sut.PeriodAt(new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero), period.End);
        Assert.Equal(TimeSpan.FromHours(23), period.Length);
    }

    [Fact]
    public void PeriodAt_DailyStartInFallBackOverlap_FirstOccurrence()
    {
        // On 25 October 2026 02:30 Berlin time occurs twice (CEST, then CET); the period starts at
        // the first, 00:30Z, and runs to 02:30 CET on the 26th = 01:30Z: 25 h.
        var sut = new CalendarWindow(CalendarUnit.Day, 1, new DateTime(2026, 1, 1, 2, 30, 0), "Europe/Berlin");

        var period = sut.PeriodAt(new DateTimeOffset(2026, 10, 25, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), period.End);
    }

    [Fact]
    public void Constructor_ThirteenMonths_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CalendarWindow(CalendarUnit.Month, 13, new DateTime(2026, 1, 1), "UTC"));
    }
}
