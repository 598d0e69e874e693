namespace Verification.Analysis.Slo;

/// <summary>Whole minutes since the Unix epoch: the key of an SLO bucket.</summary>
internal static class MinuteClock
{
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>The minute that contains <paramref name="at"/> (floor, also before the epoch).</summary>
    public static long MinuteOf(DateTimeOffset at) => FloorDiv(at.UtcTicks - EpochTicks, TimeSpan.TicksPerMinute);

    /// <summary>Division rounding towards negative infinity (C#'s / rounds towards zero).</summary>
    public static long FloorDiv(long value, long divisor) => Math.DivRem(value, divisor) switch
    {
        (var q, var r) when r != 0 && (r < 0) != (divisor < 0) => q - 1,
        (var q, _) => q,
    };

    /// <summary>The first minute that starts at or after <paramref name="at"/>.</summary>
    public static long CeilingMinuteOf(DateTimeOffset at)
    {
        var floor = MinuteOf(at);
        return StartOf(floor) == at ? floor : floor + 1;
    }

    public static DateTimeOffset StartOf(long minute) => new(EpochTicks + (minute * TimeSpan.TicksPerMinute), TimeSpan.Zero);

    public static long Minutes(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMinute;
}
