using Verification.Analysis.Slo;

namespace Verification.Analysis.Tests.Slo;

public sealed class SloBucketsTests
{
    // 1 − 0.9375 = 0.0625 = 1/16 exactly in binary, so burn rates are 16 · bad/total with no rounding
    // beyond that of the ratio itself.
    private const double Target = 0.9375;

    private static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 30, TimeSpan.Zero);

    private static SloBuckets Rolling(TimeSpan duration) => new(new SloPolicy(Target, new RollingWindow(duration)));

    private static double Rate(SloStatus status, string window) => status.BurnRates.Single(r => r.Window == window).Rate;

    [Fact]
    public void Evaluate_NoEvents_FullBudgetZeroRatesNoAlert()
    {
        var sut = Rolling(TimeSpan.FromDays(30));

        var status = sut.Evaluate(Now);

        Assert.Equal(0, status.Total);
        Assert.Equal(1.0, status.BudgetRemaining);
        Assert.Equal(["5m", "30m", "1h", "2h", "6h", "1d", "3d"], status.BurnRates.Select(r => r.Window));
        Assert.All(status.BurnRates, r => Assert.Equal(0.0, r.Rate));
        Assert.Equal(SloAlert.None, status.Alert);
        Assert.Null(status.TimeToExhaustion);
    }

    [Fact]
    public void Remove_AfterAddOfTheSameNow_EvaluatesAsBeforeTheAdd()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        sut.Add(Now.AddHours(-2), good: 990, total: 1000, Now);
        var before = sut.Evaluate(Now);
        sut.Add(Now.AddMinutes(-1), good: 0, total: 100, Now);
        sut.Add(Now.AddMinutes(2), good: 5, total: 10, Now);

        sut.Remove(Now.AddMinutes(-1), good: 0, total: 100, Now);
        sut.Remove(Now.AddMinutes(2), good: 5, total: 10, Now);

        var after = sut.Evaluate(Now);
        Assert.Equal((before.Good, before.Total, before.BudgetRemaining, before.Alert), (after.Good, after.Total, after.BudgetRemaining, after.Alert));
        Assert.Equal(before.BurnRates, after.BurnRates);
        Assert.Equal([new SloBucket(MinuteClock.MinuteOf(Now.AddHours(-2)), 990, 1000)], sut.Snapshot());
    }

    [Fact]
    public void Remove_MoreThanAdded_Throws()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        sut.Add(Now, good: 5, total: 10, Now);

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Remove(Now, good: 5, total: 11, Now));
        Assert.Throws<InvalidOperationException>(() => sut.Remove(Now.AddDays(-40), good: 0, total: 1, Now));
    }

    [Fact]
    public void Evaluate_TwoMinutesDifferentTraffic_TrafficWeightedNotAverageOfRatios()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        sut.Add(Now.AddHours(-2), good: 990, total: 1000, Now);
        sut.Add(Now.AddHours(-1), good: 590, total: 600, Now);

        var status = sut.Evaluate(Now);

        // Σbad = 10 + 10 = 20, Σtotal = 1600; consumed = 20 / (1600 · 1/16) = 20 / 100 = 0.2.
        // (An average of the per-minute ratios would give (0.01 + 0.01667) / 2 · 16 = 0.2133.)
        Assert.Equal(1580, status.Good);
        Assert.Equal(1600, status.Total);
        Assert.Equal(0.2, status.BudgetConsumed, 12);
        Assert.Equal(0.8, status.BudgetRemaining, 12);
        // Now is 12:00:30, so the 1 h window is minutes 11:01–12:00 and misses the batch of minute
        // 11:00; the 2 h window, 10:01–12:00, holds that batch but not the one of minute 10:00:
        // 10/600 · 16 = 0.2667.
        Assert.Equal(0.0, Rate(status, "1h"));
        Assert.Equal(10.0 / 600 * 16, Rate(status, "2h"), 12);
        // 6 h sees both: 20/1600 · 16 = 0.2.
        Assert.Equal(0.2, Rate(status, "6h"), 12);
    }

    [Fact]
    public void Evaluate_RollingDayEdge_OldestMinuteIncludedMinuteBeforeExcluded()
    {
        var sut = Rolling(TimeSpan.FromDays(1));
        // Now = 12:00:30 on 10 January: the 1-day window is the 1,440 minutes 9 Jan 12:01 … 10 Jan 12:00.
        sut.Add(new DateTimeOffset(2026, 1, 9, 12, 0, 59, TimeSpan.Zero), good: 0, total: 4, Now);
        sut.Add(new DateTimeOffset(2026, 1, 9, 12, 1, 0, TimeSpan.Zero), good: 7, total: 8, Now);

        var status = sut.Evaluate(Now);

        // Only the second batch counts: consumed = 1 / (8 · 1/16) = 2: overspent, remaining −1.
        Assert.Equal(new DateTimeOffset(2026, 1, 9, 12, 1, 0, TimeSpan.Zero), status.Period.Start);
        Assert.Equal(8, status.Total);
        Assert.Equal(2.0, status.BudgetConsumed);
        Assert.Equal(-1.0, status.BudgetRemaining);
        Assert.Equal(TimeSpan.Zero, status.TimeToExhaustion);
        Assert.True(status.BlocksPromotion);
        // The 1 d burn window covers the same minutes: 1/8 · 16 = 2; the 3 d window sees both
        // batches: 5/12 · 16 = 6.667.
        Assert.Equal(2.0, Rate(status, "1d"));
        Assert.Equal(5.0 / 12 * 16, Rate(status, "3d"), 12);
    }

    [Fact]
    public void Add_LateEvent_LandsInItsOwnMinute()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        sut.Add(Now, good: 100, total: 100, Now);

        // Arrives now, happened 3 h ago: 2 bad of 10.
        var result = sut.Add(Now.AddHours(-3), good: 8, total: 10, Now);
        var status = sut.Evaluate(Now);

        Assert.Equal(SloAddResult.Accepted, result);
        // Not in the 1 h or 2 h windows (only the 100 good now); in 6 h: 2/110 · 16.
        Assert.Equal(0.0, Rate(status, "1h"));
        Assert.Equal(0.0, Rate(status, "2h"));
        Assert.Equal(2.0 / 110 * 16, Rate(status, "6h"), 12);
        Assert.Equal(2.0 / 110 * 16, status.BudgetConsumed, 12);
    }

    [Fact]
    public void Add_OlderThanRetention_TooOldAndNotCounted()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        // Retention = 30 d + 1 min = 43,201 minutes: minute now − 43,201 is out, now − 43,200 is in.
        var oldest = Now.AddMinutes(-43_200);
        var tooOld = Now.AddMinutes(-43_201);

        Assert.Equal(43_201, sut.Capacity);
        Assert.Equal(SloAddResult.TooOld, sut.Add(tooOld, good: 0, total: 5, Now));
        Assert.Equal(SloAddResult.Accepted, sut.Add(oldest, good: 0, total: 3, Now));
        // Kept in the ring (it is a 3-day-and-more-old minute) but outside the 30-day window,
        // whose first minute is now − 43,199.
        Assert.Equal(0, sut.Evaluate(Now).Total);
        Assert.Equal([new SloBucket(MinuteOf(oldest), 0, 3)], sut.Snapshot());
    }

    [Fact]
    public void Add_AheadWithinSkew_CountedAtNow()
    {
        var sut = Rolling(TimeSpan.FromDays(30));

        var within = sut.Add(Now.AddMinutes(5), good: 1, total: 2, Now);
        var beyond = sut.Add(Now.AddMinutes(5).AddTicks(1), good: 0, total: 7, Now);

        Assert.Equal(SloAddResult.Accepted, within);
        Assert.Equal(SloAddResult.InFuture, beyond);
        Assert.Equal([new SloBucket(MinuteOf(Now), 1, 2)], sut.Snapshot());
    }

    [Fact]
    public void Add_GoodAboveTotal_Throws()
    {
        var sut = Rolling(TimeSpan.FromDays(30));

        Assert.Throws<ArgumentOutOfRangeException>(() => sut.Add(Now, good: 3, total: 2, Now));
    }

    [Fact]
    public void Evaluate_RingWrappedPastOldMinutes_OldMinutesCleared()
    {
        // A 1-hour window still keeps 3 d (the longest burn window) + 1 minute = 4,321 minutes.
        var sut = Rolling(TimeSpan.FromHours(1));
        sut.Add(Now, good: 0, total: 9, Now);
        var later = Now.AddMinutes(4_321);
        sut.Add(later, good: 1, total: 1, later);

        var status = sut.Evaluate(later);

        // The slot of `Now` was reused for `later`: only the later good event remains.
        Assert.Equal(4_321, sut.Capacity);
        Assert.Equal(1, status.Total);
        Assert.Equal(0.0, Rate(status, "3d"));
        Assert.Equal([new SloBucket(MinuteOf(later), 1, 1)], sut.Snapshot());
    }

    [Fact]
    public void Evaluate_SteadyBurn_TimeToExhaustionAtHourlyRate()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        sut.Add(Now, good: 96, total: 100, Now);

        var status = sut.Evaluate(Now);

        // consumed = 4 / (100/16) = 0.64, remaining 0.36; 1 h rate = 0.04 · 16 = 0.64;
        // time to exhaustion = 0.36 · 30 d / 0.64 = 16.875 d = 405 h.
        Assert.Equal(0.64, status.BudgetConsumed, 12);
        Assert.Equal(0.64, Rate(status, "1h"), 12);
        Assert.Equal(405.0, status.TimeToExhaustion!.Value.TotalHours, 6);
        // 0.64 exceeds the 3 d / 6 h factor 1? No: 0.64 < 1, so no alert.
        Assert.Equal(SloAlert.None, status.Alert);
    }

    [Fact]
    public void Evaluate_HourlyRateExactlyAtPageFactor_TicketNotPage()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        // now (in 5 m): 10 events, 9 bad → 0.9 · 16 = 14.4 (exactly the literal 14.4 in doubles,
        // since multiplying by 16 does not round).
        sut.Add(Now, good: 1, total: 10, Now);
        // now − 10 min (in 30 m, not 5 m): 14 good → 30 m = 9/24 · 16 = 6.0, not above 6.
        sut.Add(Now.AddMinutes(-10), good: 14, total: 14, Now);
        // now − 45 min (in 1 h, not 30 m): 136 events, 135 bad → 1 h = 144/160 · 16 = 14.4.
        sut.Add(Now.AddMinutes(-45), good: 1, total: 136, Now);

        var status = sut.Evaluate(Now);

        Assert.Equal(14.4, Rate(status, "5m"));
        Assert.Equal(6.0, Rate(status, "30m"));
        Assert.Equal(14.4, Rate(status, "1h"));
        // Page needs 1 h and 5 m strictly above 14.4 (no) or 6 h and 30 m above 6 (30 m is not);
        // ticket: 1 d = 2 h = 14.4 > 3.
        Assert.Equal(SloAlert.Ticket, status.Alert);
    }

    [Fact]
    public void Evaluate_HourlyAndFiveMinuteAbovePageFactor_Page()
    {
        var sut = Rolling(TimeSpan.FromDays(30));
        // 5 m: 10 of 10 bad → 16. 30 m: 10/27 · 16 = 5.93 (≤ 6, so only the 1 h / 5 m pair pages).
        // 1 h: 210/227 · 16 = 14.80 > 14.4.
        sut.Add(Now, good: 0, total: 10, Now);
        sut.Add(Now.AddMinutes(-10), good: 17, total: 17, Now);
        sut.Add(Now.AddMinutes(-45), good: 0, total: 200, Now);

        var status = sut.Evaluate(Now);

        Assert.Equal(160.0 / 27, Rate(status, "30m"), 12);
        Assert.Equal(210.0 / 227 * 16, Rate(status, "1h"), 12);
        Assert.Equal(SloAlert.Page, status.Alert);
    }

    [Fact]
    public void Evaluate_CalendarMonthInBerlin_BudgetResetsAtLocalMidnight()
    {
        var window = new CalendarWindow(CalendarUnit.Month, 1, new DateTime(2026, 1, 1), "Europe/Berlin");
        var sut = new SloBuckets(new SloPolicy(Target, window));
        var now = new DateTimeOffset(2026, 3, 1, 0, 30, 0, TimeSpan.FromHours(1));
        // 23:59 CET on 28 February (22:59Z): February's budget.
        sut.Add(new DateTimeOffset(2026, 2, 28, 22, 59, 0, TimeSpan.Zero), good: 0, total: 50, now);
        // 00:00 CET on 1 March (23:00Z): March's.
        sut.Add(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), good: 31, total: 32, now);

        var status = sut.Evaluate(now);

        // March so far: 1 bad of 32 → consumed = 1 / (32/16) = 0.5.
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero), status.Period.Start);
        Assert.Equal(32, status.Total);
        Assert.Equal(0.5, status.BudgetConsumed);
        // Burn windows ignore the reset: 1 h = 51 bad of 82 → 51/82 · 16 = 9.951.
        Assert.Equal(51.0 / 82 * 16, Rate(status, "1h"), 12);
        // The 30 m window (minutes 23:01–23:30Z) holds no event, so no page tier can fire; the
        // period is 743 h, so the ticket factor is 3 · 743/720 = 3.096, which 1 d and 2 h (both
        // 9.951) exceed → ticket.
        Assert.Equal(0.0, Rate(status, "30m"));
        Assert.Equal(SloAlert.Ticket, status.Alert);
        // Time to exhaustion: 0.5 · 743 h / 9.951 = 37.33 h.
        Assert.Equal(0.5 * 743 / (51.0 / 82 * 16), status.TimeToExhaustion!.Value.TotalHours, 6);
    }

    [Fact]
    public void Evaluate_Timeslices_BadSlicesAgainstSlicesInPeriod()
    {
        var policy = new SloPolicy(Target, new RollingWindow(TimeSpan.FromDays(1)), BudgetingMethod.Timeslices, 0.9, TimeSpan.FromHours(1));
        var sut = new SloBuckets(policy);
        var now = new DateTimeOffset(2026, 1, 10, 11, 59, 30, TimeSpan.Zero);
        // The day is the 24 hourly slices 9 Jan 12:00 … 10 Jan 11:00.
        // Slice 03:00: 80/100 then 100/100 → 180/200 = 0.9 ≥ 0.9: good.
        sut.Add(new DateTimeOffset(2026, 1, 10, 3, 10, 0, TimeSpan.Zero), good: 80, total: 100, now);
        sut.Add(new DateTimeOffset(2026, 1, 10, 3, 20, 0, TimeSpan.Zero), good: 100, total: 100, now);
        // Slice 05:00: 85/100 < 0.9: bad.
        sut.Add(new DateTimeOffset(2026, 1, 10, 5, 0, 0, TimeSpan.Zero), good: 85, total: 100, now);

        var status = sut.Evaluate(now);

        // Budget: (1 − 0.9375) · 24 = 1.5 bad slices; 1 bad → consumed 2/3.
        Assert.Equal(new SliceCounts(Bad: 1, Elapsed: 24, InPeriod: 24), status.Slices);
        Assert.Equal(2.0 / 3, status.BudgetConsumed, 12);
        Assert.Equal(1.0 / 3, status.BudgetRemaining, 12);
        // 1 h: slice 11:00, empty → good → 0. 1 d: 1/24 · 16 = 0.667. 3 d: 1/72 · 16 = 0.222.
        Assert.Equal(0.0, Rate(status, "1h"));
        Assert.Equal(16.0 / 24, Rate(status, "1d"), 12);
        Assert.Equal(16.0 / 72, Rate(status, "3d"), 12);
        Assert.Null(status.TimeToExhaustion);
    }

    [Fact]
    public void Evaluate_CalendarDayTimeslicesInKolkata_SlicesAlignedToLocalMidnight()
    {
        // Days start at 00:00 IST = 18:30Z; hourly slices start at hh:30Z.
        var window = new CalendarWindow(CalendarUnit.Day, 1, new DateTime(2026, 1, 1), "Asia/Kolkata");
        var sut = new SloBuckets(new SloPolicy(Target, window, BudgetingMethod.Timeslices, 0.9, TimeSpan.FromHours(1)));
        var now = new DateTimeOffset(2026, 1, 10, 21, 0, 0, TimeSpan.Zero);
        // 18:20Z: the previous day's last slice (17:30–18:29Z); bad, but before the reset.
        sut.Add(new DateTimeOffset(2026, 1, 10, 18, 20, 0, TimeSpan.Zero), good: 0, total: 10, now);
        // 19:40Z: slice 19:30–20:29Z of today; bad.
        sut.Add(new DateTimeOffset(2026, 1, 10, 19, 40, 0, TimeSpan.Zero), good: 5, total: 10, now);

        var status = sut.Evaluate(now);

        // Today: slices 18:30, 19:30, 20:30 (current) elapsed of 24; 1 bad → consumed 1 / (24/16) = 2/3.
        Assert.Equal(new DateTimeOffset(2026, 1, 10, 18, 30, 0, TimeSpan.Zero), status.Period.Start);
        Assert.Equal(new SliceCounts(Bad: 1, Elapsed: 3, InPeriod: 24), status.Slices);
        Assert.Equal(2.0 / 3, status.BudgetConsumed, 12);
        // Burn windows count the slices they overlap. 5 m (20:56–21:00): slice 20:30 → 0.
        // 2 h (19:01–21:00): slices 18:30, 19:30, 20:30, one bad → 16/3. 6 h (15:01–21:00): slices
        // 14:30 … 20:30 (7), two bad → 32/7. 1 d (9 Jan 21:01 – 10 Jan 21:00): slices 9 Jan 20:30 …
        // 10 Jan 20:30 (25), two bad → 32/25.
        Assert.Equal(0.0, Rate(status, "5m"));
        Assert.Equal(16.0 / 3, Rate(status, "2h"), 12);
        Assert.Equal(32.0 / 7, Rate(status, "6h"), 12);
        Assert.Equal(32.0 / 25, Rate(status, "1d"), 12);
        // A 1-day period scales the factors by 1/30: page 0.48 / 0.2 needs 5 m or 30 m (both 0);
        // ticket 0.1 is exceeded by 1 d and 2 h.
        Assert.Equal(SloAlert.Ticket, status.Alert);
        Assert.False(status.BlocksPromotion);
    }

    [Fact]
    public void Restore_FromSnapshot_SameEvaluation()
    {
        var sut = Rolling(TimeSpan.FromDays(7));
        sut.Add(Now.AddDays(-2), good: 40, total: 50, Now);
        sut.Add(Now.AddMinutes(-3), good: 9, total: 10, Now);

        var restored = SloBuckets.Restore(sut.Policy, sut.Snapshot());

        Assert.Equal(sut.Snapshot(), restored.Snapshot());
        var expected = sut.Evaluate(Now);
        var actual = restored.Evaluate(Now);
        Assert.Equal(expected.BudgetConsumed, actual.BudgetConsumed);
        Assert.Equal(expected.BurnRates, actual.BurnRates);
    }

    [Fact]
    public void Capacity_CalendarYear_HoldsLongestYearPlusHour()
    {
        var sut = new SloBuckets(new SloPolicy(Target, new CalendarWindow(CalendarUnit.Year, 1, new DateTime(2026, 1, 1), "UTC")));

        // 366 d + 1 h = 527,100 minutes, + 1: 527,101 buckets of 16 bytes.
        Assert.Equal(527_101, sut.Capacity);
        Assert.Equal(8_433_616, sut.BucketBytes);
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;
}
