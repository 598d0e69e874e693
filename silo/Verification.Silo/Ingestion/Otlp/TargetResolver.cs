using Verification.Api.Contracts;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>
/// Resolves a data point's deployment id and cohort text to a link and the deployment's metric
/// index, looking each deployment up once per request.
/// </summary>
internal sealed class TargetResolver(Func<string, DeploymentTelemetryTarget?> lookup, bool prometheusNames)
{
    private readonly Dictionary<string, (DeploymentTelemetryTarget Target, MetricRoleIndex Index)?> _cache = new(StringComparer.Ordinal);

    public bool TryResolve(
        string? deploymentId, string? cohortText, out TelemetryLink link, out DeploymentTelemetryTarget? target,
        out MetricRoleIndex? index, out RejectReason reason)
    {
        link = default;
        target = null;
        index = null;
        if (string.IsNullOrEmpty(deploymentId))
        {
            reason = RejectReason.MissingDeployment;
            return false;
        }

        if (!TelemetryLink.TryParseCohort(cohortText, out var cohort))
        {
            reason = RejectReason.MissingCohort;
            return false;
        }

        if (!_cache.TryGetValue(deploymentId, out var entry))
        {
            var found = lookup(deploymentId);
            entry = found is null ? null : (found, new MetricRoleIndex(found.Metrics, prometheusNames));
            _cache[deploymentId] = entry;
        }

        if (entry is not { } resolved)
        {
            reason = RejectReason.UnknownDeployment;
            return false;
        }

        if (resolved.Target.Status != DeploymentStatus.Verifying)
        {
            reason = RejectReason.FinishedDeployment;
            return false;
        }

        link = new TelemetryLink(deploymentId, cohort);
        target = resolved.Target;
        index = resolved.Index;
        reason = default;
        return true;
    }
}
