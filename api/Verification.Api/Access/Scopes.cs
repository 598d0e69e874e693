using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>
/// The token scopes of docs/API.md ("Contract v1.1 — access"): <see cref="Read"/> (GET endpoints, queries,
/// subscriptions, exports), <see cref="Ingest"/> (samples, SLO events, OTLP, remote-write), <see cref="Decide"/>
/// (register, complete, templates, policies, SLOs, incidents, webhooks, Flagger) and <see cref="Admin"/> (tokens, the
/// audit trail, and everything else). An admin token may do everything.
/// </summary>
public static class Scopes
{
    public const string Read = "read";
    public const string Ingest = "ingest";
    public const string Decide = "decide";
    public const string Admin = "admin";

    /// <summary>Every scope, in the contract's order.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, Ingest, Decide, Admin];

    /// <summary>Checks a token's scopes: at least one, each known, none twice; <see cref="InputException"/> on <c>scopes</c>.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string>? scopes)
    {
        if (scopes is null || scopes.Count == 0)
        {
            throw new InputException("scopes", $"must name at least one of {string.Join(", ", All)}");
        }

        for (var i = 0; i < scopes.Count; i++)
        {
            if (!All.Contains(scopes[i], StringComparer.Ordinal))
            {
                throw new InputException($"scopes[{i}]", $"'{scopes[i]}' is not a scope; use {string.Join(", ", All)}");
            }
        }

        return scopes.Count == scopes.Distinct(StringComparer.Ordinal).Count()
            ? scopes
            : throw new InputException("scopes", "names a scope twice");
    }
}
