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
    }
}
