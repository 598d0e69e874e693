using System.Globalization;
using Verification.Analysis.Slo;

namespace Verification.Api.Slo;

/// <summary>
/// OpenSLO v1 "duration-shorthand": a positive integer followed by one case-sensitive unit letter,
/// m, h, d, w, M, Q or Y (spec section "Custom Data Types").
/// </summary>
internal static class DurationShorthand
{
    private const int MaxNumber = 1_000_000;

    public static bool TryParse(string text, out int count, out CalendarUnit unit)
    {
        count = 0;
        unit = default;
        if (text.Length < 2 || !TryUnit(text[^1], out unit))
        {
            return false;
        }

        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is > 0 and <= MaxNumber;
    }

    /// <summary>The fixed length of m, h, d and w counts; null for months, quarters and years.</summary>
    public static TimeSpan? FixedLength(int count, CalendarUnit unit) => unit switch
    {
        CalendarUnit.Minute => TimeSpan.FromMinutes(count),
        CalendarUnit.Hour => TimeSpan.FromHours(count),
        CalendarUnit.Day => TimeSpan.FromDays(count),
        CalendarUnit.Week => TimeSpan.FromDays(7.0 * count),
        _ => null,
    };

    private static bool TryUnit(char c, out CalendarUnit unit)
    {
        (var ok, unit) = c switch
        {
            'm' => (true, CalendarUnit.Minute),
            'h' => (true, CalendarUnit.Hour),
            'd' => (true, CalendarUnit.Day),
            'w' => (true, CalendarUnit.Week),
            'M' => (true, CalendarUnit.Month),
            'Q' => (true, CalendarUnit.Quarter),
            'Y' => (true, CalendarUnit.Year),
            _ => (false, CalendarUnit.Minute),
        };
        return ok;
    }
}
