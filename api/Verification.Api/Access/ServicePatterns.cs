using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Access;

/// <summary>A token's service list: exact names (<c>checkout</c>) or prefixes (<c>pay-*</c> matches <c>pay-api</c>).</summary>
public static class ServicePatterns
{
    /// <summary>Most entries in one token's list.</summary>
    public const int MaxPatterns = 100;

    /// <summary>True when <paramref name="service"/> is matched by one of <paramref name="patterns"/> (null: every service).</summary>
    public static bool Matches(IReadOnlyList<string>? patterns, string service)
    {
        if (patterns is null)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (pattern.EndsWith('*')
                    ? service.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
                    : string.Equals(pattern, service, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks a list: null or 1–<see cref="MaxPatterns"/> names, each a valid service name with at most a trailing <c>*</c>.</summary>
    public static IReadOnlyList<string>? Validate(IReadOnlyList<string>? patterns)
    {
        if (patterns is null)
        {
            return null;
        }

        if (patterns.Count is 0 or > MaxPatterns)
        {
            throw new InputException("services", $"must list 1–{MaxPatterns} services (omit it for every service), got {patterns.Count}");
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            var field = $"services[{i}]";
            var pattern = patterns[i];
            DeploymentValidation.Text(field, pattern);
            var star = pattern.IndexOf('*', StringComparison.Ordinal);
            if (star >= 0 && (star != pattern.Length - 1 || pattern.Length == 1))
            {
                throw new InputException(field, $"'{pattern}': '*' may only end a prefix, e.g. 'pay-*'");
            }
        }

        return patterns;
    }
}
