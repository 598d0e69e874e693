namespace Verification.Analysis.Slo;

/// <summary>One budgeting period: the budget is computed over the events in [Start, End).</summary>
/// <param name="Start">First instant of the period (UTC).</param>
/// <param name="End">End of the period, exclusive (UTC). For a rolling window this is the evaluation time.</param>
public readonly record struct SloPeriod(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;
}

/// <summary>
/// The time window an SLO is measured over (OpenSLO v1 <c>spec.timeWindow</c>): either rolling or
/// aligned to a calendar in a time zone.
/// </summary>
public abstract record SloWindow
{
    /// <summary>The longest window the implementation accepts: one (leap) year, as OpenSLO's <c>1Y</c>.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(366);

    private protected SloWindow()
    {
    }

    /// <summary>The longest period this window can have; sizes the bucket ring.</summary>
    public abstract TimeSpan MaxPeriodLength { get; }

    /// <summary>The budgeting period that contains <paramref name="now"/>.</summary>
    public abstract SloPeriod PeriodAt(DateTimeOffset now);
}

/// <summary>A rolling window: the budget always covers the last <see cref="Duration"/>.</summary>
public sealed record RollingWindow : SloWindow
{
    public RollingWindow(TimeSpan duration)
    {
        if (duration < TimeSpan.FromMinutes(1) || duration > MaxLength || duration.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A rolling window is a whole number of minutes, 1 min to 366 d.");
        }

        Duration = duration;
    }

    public TimeSpan Duration { get; }

    public override TimeSpan MaxPeriodLength => Duration;

    // The period is the last Duration of minutes, the current (partial) minute included; SloBuckets
    // works on whole minutes, so Start is the first instant of the oldest minute counted.
    public override SloPeriod PeriodAt(DateTimeOffset now)
    {
        var currentMinute = MinuteClock.MinuteOf(now);
        var firstMinute = currentMinute - (Duration.Ticks / TimeSpan.TicksPerMinute) + 1;
        return new SloPeriod(MinuteClock.StartOf(firstMinute), MinuteClock.StartOf(currentMinute + 1));
    }
}

/// <summary>Units of an OpenSLO duration shorthand (m, h, d, w, M, Q, Y).</summary>
public enum CalendarUnit
{
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// <summary>
/// A calendar-aligned window: periods of <see cref="Count"/> <see cref="Unit"/>s in local time of
/// <see cref="TimeZoneId"/>, aligned to <see cref="StartTime"/> (OpenSLO v1 <c>timeWindow[].calendar</c>).
/// The budget resets at every period boundary.
/// </summary>
public sealed record CalendarWindow : SloWindow
{
    private readonly TimeZoneInfo _zone;

    /// <param name="unit">Unit of the period length.</param>
    /// <param name="count">Number of units per period (e.g. 1 for <c>1M</c>).</param>
    /// <param name="startTime">Local wall-clock time (no offset) that one period starts at.</param>
    /// <param name="timeZoneId">IANA time zone name, e.g. <c>Europe/Berlin</c>.</param>
    public CalendarWindow(CalendarUnit unit, int count, DateTime startTime, string timeZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        if (count < 1 || MaxLengthOf(unit, count) > MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A calendar window is 1 min to 1 year long.");
        }

        Unit = unit;
        Count = count;
        StartTime = DateTime.SpecifyKind(startTime, DateTimeKind.Unspecified);
        TimeZoneId = timeZoneId;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
    }

    public CalendarUnit Unit { get; }

    public int Count { get; }

    public DateTime StartTime { get; }

    public string TimeZoneId { get; }

    // A local day can be an hour longer on a daylight-saving change; months and years are bounded
    // by their longest variant.
    public override TimeSpan MaxPeriodLength => MaxLengthOf(Unit, Count) + TimeSpan.FromHours(1);

    public override SloPeriod PeriodAt(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, _zone).DateTime;
        var nominal = NominalLength(Unit, Count);

        // Estimate how many periods lie between StartTime and now, then correct the estimate, since
        // months, quarters and years are not of fixed length.
        var k = (long)Math.Floor((local - StartTime).Ticks / (double)nominal.Ticks);
        while (Step(k + 1) <= local)
        {
            k++;
        }

        while (Step(k) > local)
        {
            k--;
        }

        return new SloPeriod(ToUtc(Step(k)), ToUtc(Step(k + 1)));
    }

    public bool Equals(CalendarWindow? other) =>
        other is not null && Unit == other.Unit && Count == other.Count && StartTime == other.StartTime
        && string.Equals(TimeZoneId, other.TimeZoneId, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Unit, Count, StartTime, TimeZoneId);

    // Each period start is computed from StartTime directly (not by repeated addition) so that a
    // start on the 31st gives the last day of shorter months without drifting.
    private DateTime Step(long k)
    {
        var n = checked((int)(k * Count));
        return Unit switch
        {
            CalendarUnit.Minute => StartTime.AddMinutes(n),
            CalendarUnit.Hour => StartTime.AddHours(n),
            CalendarUnit.Day => StartTime.AddDays(n),
            CalendarUnit.Week => StartTime.AddDays(7.0 * n),
            CalendarUnit.Month => StartTime.AddMonths(n),
            CalendarUnit.Quarter => StartTime.AddMonths(3 * n),
            CalendarUnit.Year => StartTime.AddYears(n),
            _ => throw new InvalidOperationException($"Unknown unit {Unit}."),
        };
    }

    // Local wall-clock time to UTC. A time skipped by a daylight-saving jump is taken with the
    // offset in force before the jump (so 02:30 on a spring-forward night is 03:30 new time); a time
    // that occurs twice is taken at its first occurrence, so a period never starts late.
    private DateTimeOffset ToUtc(DateTime local)
    {
        TimeSpan offset;
        if (_zone.IsInvalidTime(local))
        {
            offset = _zone.GetUtcOffset(local.AddHours(-12));
        }
        else if (_zone.IsAmbiguousTime(local))
        {
            offset = _zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = _zone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    private static TimeSpan NominalLength(CalendarUnit unit, int count) => unit switch
    {
        CalendarUnit.Minute => TimeSpan.FromMinutes(count),
        CalendarUnit.Hour => TimeSpan.FromHours(count),
        CalendarUnit.Day => TimeSpan.FromDays(count),
        CalendarUnit.Week => TimeSpan.FromDays(7.0 * count),
        CalendarUnit.Month => TimeSpan.FromDays(28.0 * count),
        CalendarUnit.Quarter => TimeSpan.FromDays(89.0 * count),
        CalendarUnit.Year => TimeSpan.FromDays(365.0 * count),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "Unknown unit."),
    };

    private static TimeSpan MaxLengthOf(CalendarUnit unit, int count) => unit switch
    {
        // Any 12 consecutive months are at most 366 days long, any month at most 31.
        CalendarUnit.Month => TimeSpan.FromDays(Math.Min(31.0 * count, 366.0 * Math.Ceiling(count / 12.0))),
        CalendarUnit.Quarter => TimeSpan.FromDays(Math.Min(92.0 * count, 366.0 * Math.Ceiling(count / 4.0))),
        CalendarUnit.Year => TimeSpan.FromDays(366.0 * count),
        _ => NominalLength(unit, count),
    };
}
