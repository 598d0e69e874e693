using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>Verdicts that do not come from judging samples.</summary>
internal static class Verdicts
{
    /// <summary>
    /// What a deployment answers while this build has no canary judge: never a guessed decision.
    /// Replaced by the judge's verdict once the canary judge is wired in.
    /// </summary>
    public static Verdict NoJudge { get; } = new(
        Decision.Pending,
        "No canary judge is configured in this build, so no decision is made; the verdict stays PENDING.",
        Score: null,
        DecidedAt: null,
        Metrics: []);
}
