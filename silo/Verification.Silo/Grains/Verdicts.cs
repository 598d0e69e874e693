using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>Verdicts that do not come from judging samples.</summary>
internal static class Verdicts
{
    /// <summary>The verdict before the first judgement (never stored: a registration judges at once).</summary>
    public static Verdict NotJudged { get; } = new(Decision.Pending, "Not judged yet.", Score: null, DecidedAt: null, Metrics: []);
}
