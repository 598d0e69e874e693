using Verification.Analysis.Slo;
using Verification.Api.Contracts;

namespace Verification.Api.Slo;

/// <summary>Validates a <see cref="ReleasePolicy"/>.</summary>
public static class ReleasePolicyValidation
{
    public static void Validate(ReleasePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!double.IsFinite(policy.MinBudgetRemaining) || policy.MinBudgetRemaining < -1 || policy.MinBudgetRemaining >= 1)
        {
            throw new InputException("minBudgetRemaining", $"must be in [-1, 1), got {policy.MinBudgetRemaining}");
        }

        if (policy.IncidentWindowMinutes is < 0 or > ReleasePolicy.MaxIncidentWindowMinutes)
        {
            throw new InputException("incidentWindowMinutes",
                $"must be between 0 and {ReleasePolicy.MaxIncidentWindowMinutes}, got {policy.IncidentWindowMinutes}");
        }

        if (policy.MaxBurnRate is { } limit)
        {
            if (!BurnRateWindows.All.Any(w => w.Name == limit.Window))
            {
                throw new InputException("maxBurnRate.window",
                    $"must be one of {string.Join(", ", BurnRateWindows.All.Select(w => w.Name))}, got '{limit.Window}'");
            }

            if (!double.IsFinite(limit.Rate) || limit.Rate <= 0)
            {
                throw new InputException("maxBurnRate.rate", $"must be a finite number > 0, got {limit.Rate}");
            }
        }
    }
}
