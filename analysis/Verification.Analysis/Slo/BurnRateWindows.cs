namespace Verification.Analysis.Slo;

/// <summary>The burn rate over one trailing window; <see cref="Window"/> is spelled as in the API (<c>5m</c> … <c>3d</c>).</summary>
public sealed record BurnRate(string Window, double Rate);

/// <summary>The trailing windows burn rates are reported for, shortest first.</summary>
public static class BurnRateWindows
{
    public const string FiveMinutes = "5m";
    public const string ThirtyMinutes = "30m";
    public const string OneHour = "1h";
    public const string TwoHours = "2h";
    public const string SixHours = "6h";
    public const string OneDay = "1d";
    public const string ThreeDays = "3d";

    /// <summary>Every window with its length, in the order the API lists them.</summary>
    public static readonly IReadOnlyList<(string Name, TimeSpan Length)> All =
    [
        (FiveMinutes, TimeSpan.FromMinutes(5)),
        (ThirtyMinutes, TimeSpan.FromMinutes(30)),
        (OneHour, TimeSpan.FromHours(1)),
        (TwoHours, TimeSpan.FromHours(2)),
        (SixHours, TimeSpan.FromHours(6)),
        (OneDay, TimeSpan.FromDays(1)),
        (ThreeDays, TimeSpan.FromDays(3)),
    ];

    /// <summary>The longest window, which bounds how far back buckets must be kept.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3);
}
