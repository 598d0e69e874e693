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

    /// <summary>Clock skew tolerated for a sample time in the future.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(5);
}
