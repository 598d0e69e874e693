namespace Verification.Analysis.Sequential;

/// <summary>
/// Result of one always-valid test at one look: the evidence against "no change" and a confidence sequence
/// for the change (Howard, Ramdas, McAuliffe &amp; Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic
/// confidence sequences", Ann. Statist. 49(2), §3: a sequence of intervals covering the truth at every time
/// simultaneously with probability ≥ 1 − α). Bounds are on the scale the test names; ±∞ when unbounded.
/// </summary>
/// <param name="PValue">Always-valid p-value min(1, 1/Λ_t) for the null of no change (Johari, Koomen, Pekelis &amp;
/// Walsh 2022, "Always Valid Inference", Oper. Res. 70(3), §3: P(∃t: p_t ≤ α) ≤ α by Ville's inequality).</param>
/// <param name="Estimate">Point estimate of the change.</param>
/// <param name="Low">Lower confidence-sequence bound at the test's α.</param>
/// <param name="High">Upper confidence-sequence bound at the test's α.</param>
internal readonly record struct ConfidenceSequence(double PValue, double Estimate, double Low, double High)
{
    /// <summary>No evidence yet: p = 1, the whole line.</summary>
    public static ConfidenceSequence Uninformative(double estimate) =>
        new(1, estimate, double.NegativeInfinity, double.PositiveInfinity);
}
