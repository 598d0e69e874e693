using System.Numerics;
using System.Runtime.InteropServices;

namespace Verification.Analysis.Slo;

/// <summary>
/// The events of one SLO objective in 1-minute buckets, and the budget, burn rates and alert
/// computed from them. Mutable state owned by one grain activation (not thread-safe).
/// </summary>
/// <remarks>
/// <para>
/// Storage: two arrays of 64-bit counters (good, total) used as a ring indexed by minute mod
/// capacity, capacity = max(longest period of the window, 3 d) + one time slice + 1 minute, so every
/// minute a budget or burn window can ask for is still held (burn windows look back at most 3 d).
/// 16 bytes per minute: a 30-day rolling SLO keeps 43,201 minutes (675 KiB), a calendar month
/// 31 d + 1 h + 1 min = 44,701 (698 KiB), a calendar year 527,101 (8.04 MiB). Every bucket is exact
/// to the minute, so window edges (also calendar boundaries in zones with half-hour offsets) are
/// exact; evaluation sums the period's minutes with vector instructions rather than keeping
/// running sums that late events would have to patch.
/// </para>
/// <para>
/// Time: an event is counted in the minute of its own timestamp, so late events land where they
/// belong. Events older than <see cref="Retention"/> are rejected (they could not be counted in any
/// window); events up to <see cref="MaxClockSkew"/> ahead of now are counted in now's minute (a
/// sender's clock running slightly fast), further ahead they are rejected. Idempotency (batch ids) is
/// the caller's job. Nothing here reads a clock: <c>now</c> is always a parameter.
/// </para>
/// <para>
/// Windows: a trailing window of n minutes covers the current (partial) minute and the n − 1 before
/// it. A burn rate over a window is (Σbad / Σtotal) / (1 − target); a window without traffic has
/// rate 0 (no evidence of burning).
/// </para>
/// </remarks>
public sealed class SloBuckets
{
    /// <summary>How far ahead of now an event may be stamped and still count (in now's minute).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly long[] _good;
    private readonly long[] _total;
    private readonly long _sliceMinutes;
    private long _head = long.MinValue;

    public SloBuckets(SloPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _sliceMinutes = policy.TimeSliceWindow is { } slice ? MinuteClock.Minutes(slice) : 0;
        var span = policy.Window.MaxPeriodLength > BurnRateWindows.Longest ? policy.Window.MaxPeriodLength : BurnRateWindows.Longest;
        var capacity = checked((int)(MinuteClock.Minutes(span) + _sliceMinutes + 1));
        _good = new long[capacity];
        _total = new long[capacity];
    }

    public SloPolicy Policy { get; }

    /// <summary>Number of 1-minute buckets held.</summary>
    public int Capacity => _good.Length;

    /// <summary>How far back an event may lie and still be accepted.</summary>
    public TimeSpan Retention => TimeSpan.FromMinutes(Capacity);

    /// <summary>Bytes held by the bucket arrays.</summary>
    public long BucketBytes => 2L * sizeof(long) * Capacity;

    /// <summary>
    /// Most events one minute holds: 10^13 (≈ 1.7 · 10^11 a second, far beyond any service). It keeps every sum exact in
    /// 64 bits: the longest period held, a calendar year and a slice (527,101 minutes), sums to at most 5.3 · 10^18 &lt; 2^63.
    /// </summary>
    public const long MaxEventsPerMinute = 10_000_000_000_000;

    /// <summary>How many more events the minute that an event at <paramref name="at"/> counts in may take (<see cref="MaxEventsPerMinute"/>).</summary>
    public long Room(DateTimeOffset at, DateTimeOffset now)
    {
        var minute = Math.Min(MinuteClock.MinuteOf(at), MinuteClock.MinuteOf(now));
        var held = _head != long.MinValue && minute <= _head && minute > _head - Capacity ? _total[Slot(minute)] : 0;
        return MaxEventsPerMinute - held;
    }

    /// <summary>Counts <paramref name="good"/> of <paramref name="total"/> events that happened at <paramref name="at"/>.</summary>
    public SloAddResult Add(DateTimeOffset at, long good, long total, DateTimeOffset now)
    {
        if (good < 0 || total < 0 || good > total)
        {
            throw new ArgumentOutOfRangeException(nameof(good), good, "Counts must satisfy 0 ≤ good ≤ total.");
        }

        if (at > now + MaxClockSkew)
        {
            return SloAddResult.InFuture;
        }

        var nowMinute = MinuteClock.MinuteOf(now);
        var minute = Math.Min(MinuteClock.MinuteOf(at), nowMinute);
        if (minute <= nowMinute - Capacity || (_head != long.MinValue && minute <= _head - Capacity))
        {
            return SloAddResult.TooOld;
        }

        AddAt(minute, good, total);
        return SloAddResult.Accepted;
    }

    /// <summary>
    /// Takes back counts that <see cref="Add"/> accepted at the same <paramref name="now"/>, before anything else was added: a
    /// caller that counted a batch before storing it (to judge what the batch changes) undoes it when the store fails.
    /// The head moved by that <see cref="Add"/> stays; it moved at most to now's minute, over minutes no window at now holds.
    /// </summary>
    public void Remove(DateTimeOffset at, long good, long total, DateTimeOffset now)
    {
        var minute = Math.Min(MinuteClock.MinuteOf(at), MinuteClock.MinuteOf(now));
        if (_head == long.MinValue || minute > _head || minute <= _head - Capacity)
        {
            throw new InvalidOperationException($"Minute {minute} holds nothing added; only an accepted Add can be taken back.");
        }

        var slot = Slot(minute);
        if (good < 0 || total < 0 || good > total || _good[slot] < good || _total[slot] < total)
        {
            throw new ArgumentOutOfRangeException(nameof(good), good, "Only counts added to the minute can be taken back.");
        }

        _good[slot] -= good;
        _total[slot] -= total;
    }

    /// <summary>The budget, burn rates and alert at <paramref name="now"/>.</summary>
    public SloStatus Evaluate(DateTimeOffset now)
    {
        var nowMinute = MinuteClock.MinuteOf(now);
        var period = Policy.Window.PeriodAt(now);
        var startMinute = MinuteClock.CeilingMinuteOf(period.Start);
        var (good, total) = Sum(startMinute, nowMinute);
        var budget = Policy.ErrorBudget;

        double consumed;
        SliceCounts? slices = null;
        var rates = new BurnRate[BurnRateWindows.All.Count];
        if (Policy.Method == BudgetingMethod.Occurrences)
        {
            // Traffic-weighted (SRE Workbook ch. 2): the budget is (1 − target) of the events seen,
            // so consumed = Σbad / (Σtotal · (1 − target)), not an average of per-minute ratios.
            consumed = total == 0 ? 0 : (total - good) / (total * budget);
            for (var i = 0; i < rates.Length; i++)
            {
                var (name, length) = BurnRateWindows.All[i];
                var (g, t) = Sum(nowMinute - MinuteClock.Minutes(length) + 1, nowMinute);
                rates[i] = new BurnRate(name, t == 0 ? 0 : (t - g) / (double)t / budget);
            }
        }
        else
        {
            // Slices are aligned to the calendar period start (so none straddles a reset) or, for
            // rolling windows, to the Unix epoch. The budget is (1 − target) of all slices of the
            // period, since time passes whether or not there is traffic.
            var anchor = Policy.Window is CalendarWindow ? startMinute : 0;
            var endMinute = MinuteClock.CeilingMinuteOf(period.End);
            var inPeriod = DivCeiling(endMinute - startMinute, _sliceMinutes);
            var (bad, elapsed) = CountSlices(anchor, startMinute, nowMinute);
            slices = new SliceCounts(bad, elapsed, inPeriod);
            consumed = bad / (inPeriod * budget);
            for (var i = 0; i < rates.Length; i++)
            {
                var (name, length) = BurnRateWindows.All[i];
                var (b, n) = CountSlices(anchor, nowMinute - MinuteClock.Minutes(length) + 1, nowMinute);
                rates[i] = new BurnRate(name, n == 0 ? 0 : b / (double)n / budget);
            }
        }

        var remaining = 1 - consumed;
        // The rolling duration, or the current calendar period's length (a month of 28 to 31 days,
        // an hour less or more across a daylight-saving change).
        var periodLength = period.Length;
        var alert = BurnRateAlerting.Classify(rates, periodLength);
        return new SloStatus(period, good, total, consumed, remaining, rates, alert, TimeToExhaustion(remaining, rates, periodLength), slices);
    }

    /// <summary>The non-empty buckets still held, oldest first: what a grain persists.</summary>
    public IReadOnlyList<SloBucket> Snapshot()
    {
        var buckets = new List<SloBucket>();
        if (_head == long.MinValue)
        {
            return buckets;
        }

        for (var minute = _head - Capacity + 1; minute <= _head; minute++)
        {
            var slot = Slot(minute);
            if (_total[slot] != 0)
            {
                buckets.Add(new SloBucket(minute, _good[slot], _total[slot]));
            }
        }

        return buckets;
    }

    /// <summary>Rebuilds the state from a <see cref="Snapshot"/>; buckets older than the retention before the newest are dropped.</summary>
    public static SloBuckets Restore(SloPolicy policy, IEnumerable<SloBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var sut = new SloBuckets(policy);
        foreach (var bucket in buckets.OrderBy(b => b.Minute))
        {
            if (bucket.Good < 0 || bucket.Total < 0 || bucket.Good > bucket.Total)
            {
                throw new ArgumentException($"Bucket {bucket.Minute} has invalid counts.", nameof(buckets));
            }

            sut.AddAt(bucket.Minute, bucket.Good, bucket.Total);
        }

        return sut;
    }

    // Rate 1 spends exactly one period's budget in one period, so at rate r the remaining fraction
    // R lasts R · period / r (SRE Workbook ch. 5, "burn rate"). The 1 h rate is the one the fast
    // page tier watches: recent enough to react, long enough not to swing minute to minute.
    private static TimeSpan? TimeToExhaustion(double remaining, BurnRate[] rates, TimeSpan period)
    {
        if (remaining <= 0)
        {
            return TimeSpan.Zero;
        }

        var hourly = rates.First(r => r.Window == BurnRateWindows.OneHour).Rate;
        return hourly > 0 ? period * (remaining / hourly) : null;
    }

    private void AddAt(long minute, long good, long total)
    {
        if (_head == long.MinValue || minute > _head)
        {
            // Clear the slots of the minutes the head moves over; they still hold minutes one
            // capacity older.
            var first = _head == long.MinValue ? minute - Capacity + 1 : Math.Max(_head + 1, minute - Capacity + 1);
            for (var m = first; m <= minute; m++)
            {
                var s = Slot(m);
                _good[s] = 0;
                _total[s] = 0;
            }

            _head = minute;
        }
        else if (minute <= _head - Capacity)
        {
            return;
        }

        var slot = Slot(minute);
        _good[slot] = checked(_good[slot] + good);
        _total[slot] = checked(_total[slot] + total);
    }

    private (long Good, long Total) Sum(long fromMinute, long toMinute)
    {
        if (_head == long.MinValue)
        {
            return (0, 0);
        }

        var from = Math.Max(fromMinute, _head - Capacity + 1);
        var to = Math.Min(toMinute, _head);
        if (from > to)
        {
            return (0, 0);
        }

        // The minutes lie in at most two contiguous runs of the ring: up to its end, then from 0.
        var count = (int)(to - from + 1);
        var start = Slot(from);
        var firstRun = Math.Min(count, Capacity - start);
        var good = SumOf(_good.AsSpan(start, firstRun)) + SumOf(_good.AsSpan(0, count - firstRun));
        var total = SumOf(_total.AsSpan(start, firstRun)) + SumOf(_total.AsSpan(0, count - firstRun));
        return (good, total);
    }

    // Vectorised sum: evaluation adds up to a year of minutes. No overflow check: a minute would
    // need 10^13 events for a year's sum to overflow 64 bits.
    private static long SumOf(ReadOnlySpan<long> values)
    {
        var vectors = MemoryMarshal.Cast<long, Vector<long>>(values);
        var accumulator = Vector<long>.Zero;
        foreach (var vector in vectors)
        {
            accumulator += vector;
        }

        var sum = Vector.Sum(accumulator);
        for (var i = vectors.Length * Vector<long>.Count; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }

    // Slices overlapping [fromMinute, toMinute], each judged on all of its own minutes; an empty
    // slice is good (no failed event seen).
    private (long Bad, long Count) CountSlices(long anchor, long fromMinute, long toMinute)
    {
        var first = MinuteClock.FloorDiv(fromMinute - anchor, _sliceMinutes);
        var last = MinuteClock.FloorDiv(toMinute - anchor, _sliceMinutes);
        var target = Policy.TimeSliceTarget!.Value;
        long bad = 0;
        for (var k = first; k <= last; k++)
        {
            var start = anchor + (k * _sliceMinutes);
            var (good, total) = Sum(start, start + _sliceMinutes - 1);
            if (total > 0 && good / (double)total < target)
            {
                bad++;
            }
        }

        return (bad, last - first + 1);
    }

    private static long DivCeiling(long value, long divisor) => (value + divisor - 1) / divisor;

    private int Slot(long minute)
    {
        var slot = minute % Capacity;
        return (int)(slot < 0 ? slot + Capacity : slot);
    }
}
