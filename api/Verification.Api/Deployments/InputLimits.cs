namespace Verification.Api.Deployments;

/// <summary>Limits on everything a client controls (CONVENTIONS.md: "limits on everything").</summary>
public static class InputLimits
{
    public const int MaxIdLength = 200;
    public const int MaxNameLength = 200;
    public const int MaxMetrics = 100;
    public const int MaxValuesPerBatch = 100_000;
    public const int MaxBatchesPerRequest = 10_000;
    public const long MaxSamplesBodyBytes = 64L * 1024 * 1024;
    public const long MaxJsonBodyBytes = 1024 * 1024;

    /// <summary>
    /// Most events (the sum of RATIO <c>total</c>s) one cohort of one metric may hold: 2^53, so every sum is exact as a
    /// 64-bit integer and as the double the statistics use. A batch that would carry a cohort past it is refused.
    /// </summary>
    public const long MaxCohortEvents = 1L << 53;

    /// <summary>
    /// Largest magnitude of a CONTINUOUS value: squares (the variance's sums) stay below 1e200, so no number of values
    /// a cohort can hold overflows a sum to infinity.
    /// </summary>
    public const double MaxAbsValue = 1e100;

    /// <summary>Clock skew tolerated for a sample time in the future.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
}
