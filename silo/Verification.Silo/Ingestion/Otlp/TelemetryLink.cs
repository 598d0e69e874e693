using Verification.Api.Contracts;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>The deployment and cohort a pushed data point belongs to.</summary>
internal readonly record struct TelemetryLink(string DeploymentId, Cohort Cohort)
{
    /// <summary>OTLP attribute naming the deployment (docs/API.md, "Pushed telemetry is linked by …").</summary>
    public const string DeploymentAttribute = "deployment.id";

    /// <summary>OTLP attribute naming the cohort: <c>baseline</c> or <c>canary</c>.</summary>
    public const string CohortAttribute = "deployment.cohort";

    /// <summary>Prometheus label names cannot contain dots, so remote write uses underscores.</summary>
    public const string DeploymentLabel = "deployment_id";

    public const string CohortLabel = "deployment_cohort";

    /// <summary>Parses <c>baseline</c> / <c>canary</c> (case-insensitive, as people type them).</summary>
    public static bool TryParseCohort(string? text, out Cohort cohort)
    {
        if (string.Equals(text, "baseline", StringComparison.OrdinalIgnoreCase))
        {
            cohort = Cohort.Baseline;
            return true;
        }

        if (string.Equals(text, "canary", StringComparison.OrdinalIgnoreCase))
        {
            cohort = Cohort.Canary;
            return true;
        }

        cohort = default;
        return false;
    }
}

/// <summary>
/// What the receivers need to know about a registered deployment: its metrics, and when it started
/// (a cumulative series whose start time is after this is counted from zero, see <see cref="CumulativeDeltaConverter"/>).
/// </summary>
internal sealed record DeploymentTelemetryTarget(
    IReadOnlyList<MetricDefinition> Metrics, DateTimeOffset? StartedAt = null, DeploymentStatus Status = DeploymentStatus.Verifying);
