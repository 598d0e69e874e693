using System.Globalization;
using Verification.Api.Contracts;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>
/// How a metric's <c>source.promql</c> is read (README, "Telemetry inputs"):
/// <list type="bullet">
/// <item><c>$deployment</c>, <c>$cohort</c> (<c>baseline</c>|<c>canary</c>) and <c>$window</c> (the pull interval,
/// e.g. <c>30s</c>) are substituted; the deployment id is escaped for use inside a double-quoted PromQL string.</item>
/// <item>RATIO: the query returns cumulative counters, labelled <c>verification_role="count"</c> and
/// <c>verification_role="total"</c> (series of one role are summed). We difference successive readings ourselves
/// (a decrease is a counter reset), so counts stay exact integers, free of <c>increase()</c>'s extrapolation.</item>
/// <item>CONTINUOUS: every sample the query returns is one value (e.g. a per-pod p99 over <c>$window</c>).</item>
/// </list>
/// </summary>
internal static class PromqlConvention
{
    public const string RoleLabel = "verification_role";
    public const string CountRole = "count";
    public const string TotalRole = "total";

    public static string Substitute(string promql, string deploymentId, Cohort cohort, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(promql);
        ArgumentNullException.ThrowIfNull(deploymentId);
        var escaped = deploymentId.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return promql
            .Replace("$deployment", escaped, StringComparison.Ordinal)
            .Replace("$cohort", CohortText(cohort), StringComparison.Ordinal)
            .Replace("$window", string.Create(CultureInfo.InvariantCulture, $"{(long)window.TotalSeconds}s"), StringComparison.Ordinal);
    }

    public static string CohortText(Cohort cohort) => cohort == Cohort.Canary ? "canary" : "baseline";

    /// <summary>
    /// The cumulative count and total of a RATIO reading; null when the query returned nothing. A role that is absent
    /// while the other is present reads 0 (a counter that was never incremented is often not exported at all).
    /// </summary>
    public static CounterReading? ReadRatio(IReadOnlyList<PromSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return null;
        }

        double count = 0, total = 0;
        foreach (var sample in samples)
        {
            if (!double.IsFinite(sample.Value) || sample.Value < 0)
            {
                throw new PrometheusQueryException($"A RATIO query must return non-negative finite counters, got {sample.Value}.");
            }

            switch (sample.Labels.GetValueOrDefault(RoleLabel))
            {
                case CountRole:
                    count += sample.Value;
                    break;
                case TotalRole:
                    total += sample.Value;
                    break;
                default:
                    throw new PrometheusQueryException(
                        $"A RATIO query must label each series {RoleLabel}=\"{CountRole}\" or \"{TotalRole}\" (e.g. with label_replace).");
            }
        }

        return new CounterReading(count, total);
    }

    /// <summary>The finite values of a CONTINUOUS reading (NaN, e.g. a quantile of no observations, is no value).</summary>
    public static double[] ReadValues(IReadOnlyList<PromSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return [.. samples.Select(s => s.Value).Where(double.IsFinite)];
    }

    /// <summary>
    /// The increase from <paramref name="previous"/> to <paramref name="current"/>, per counter: a decrease is a reset,
    /// so the new value counts from zero (Prometheus' own rule for counters). The count is capped at the total.
    /// </summary>
    public static (long Count, long Total) Increase(CounterReading previous, CounterReading current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var total = (long)Math.Round(current.Total >= previous.Total ? current.Total - previous.Total : current.Total);
        var count = (long)Math.Round(current.Count >= previous.Count ? current.Count - previous.Count : current.Count);
        return (Math.Min(count, total), total);
    }
}

/// <summary>Cumulative count and total of a RATIO query at one evaluation.</summary>
internal sealed record CounterReading(double Count, double Total)
{
    public static readonly CounterReading Zero = new(0, 0);
}
