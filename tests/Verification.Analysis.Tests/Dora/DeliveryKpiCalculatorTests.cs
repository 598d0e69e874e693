using Verification.Analysis.Dora;

namespace Verification.Analysis.Tests.Dora;

public sealed class DeliveryKpiCalculatorTests
{
    private static readonly DateTimeOffset From = At(3, 1, 0);
    private static readonly DateTimeOffset To = At(3, 31, 0);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static KpiRun Run(string pipeline, KpiRunKind kind, KpiRunOutcome outcome, DateTimeOffset finished, string? commit, string service = "checkout") =>
        new(service, pipeline, kind, outcome, finished, commit);

    private static KpiDeployment Deployment(string id, DateTimeOffset started, DateTimeOffset? finished, DoraDeploymentStatus status,
        DateTimeOffset? commit = null, DateTimeOffset? detected = null, bool full = false, TimeSpan? window = null,
        string environment = "production", params (string Metric, double Effect)[] effects) =>
        new(new DoraDeployment(id, "checkout", "payments", environment, started, finished, status, commit, false, [], detected),
            full, [.. effects.Select(e => new MetricEffect(e.Metric, e.Effect))], window ?? Hour);

    // The hand-built month (1 March 00:00 – 31 March 00:00).
    // Runs in the window: 11 (r4 cancelled; r10 before, r12 after the window). Succeeded r2 r6 r7 r8 pay = 5, failed r1 r3 r5 r9 r11 = 5
    // → success 0.5. Flaky: r1 (r2 retried it), r5 (r6), r11 (r12, after the window); not r3 (its commit succeeded only in
    // another service), not r9 (no commit). Security: r5 failed, r6 r7 r8 succeeded → 0.25.
    private static readonly KpiRun[] Runs =
    [
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Failed, At(3, 2, 10), "c1"),                 // r1
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Succeeded, At(3, 2, 10, 30), "c1"),          // r2
        Run("ci", KpiRunKind.Test, KpiRunOutcome.Failed, At(3, 3, 9), "c2"),                   // r3
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Cancelled, At(3, 4, 9), "c3"),               // r4
        Run("scan", KpiRunKind.Security, KpiRunOutcome.Failed, At(3, 5, 10), "c3"),            // r5
        Run("scan", KpiRunKind.Security, KpiRunOutcome.Succeeded, At(3, 5, 11), "c3"),         // r6
        Run("scan", KpiRunKind.Security, KpiRunOutcome.Succeeded, At(3, 6, 11), "c4"),         // r7
        Run("scan", KpiRunKind.Security, KpiRunOutcome.Succeeded, At(3, 7, 11), "c5"),         // r8
        Run("cd", KpiRunKind.Deploy, KpiRunOutcome.Failed, At(3, 8, 11), null),               // r9
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Succeeded, At(2, 20, 11), "c6"),             // r10
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Failed, At(3, 30, 23), "c7"),                // r11
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Succeeded, At(4, 1, 1), "c7"),               // r12
        Run("ci", KpiRunKind.Build, KpiRunOutcome.Succeeded, At(3, 4, 12), "c2", service: "pay"),
    ];

    // Production deployments in the window: d1 d2 d3 d4 d5 d6 d7 d10 = 8; full provenance d1 d3 d5 d6 → 0.5.
    // Detection (rolled back with a ROLLBACK verdict): d3 4 min, d4 20 min → median 12, p90 4 + 0.9 × 16 = 18.4; d5 has none.
    // Promotions d1 d2 d6 d10 = 4. Pages within the service window after promotion: d1 p1 (30 min ≤ 60), not p2 (120 > 60);
    // d2 p3 (120 ≤ its 180); d6 p4 (10), not p5 (before the promotion) → 3 / 4. SLO pages after promotion: d1 30, d6 10 → 20.
    // Lead times d1 3 h, d2 48 h, d6 168 h → p50 48, p90 48 + 0.8 × 120 = 144; histogram ≤1h 0, ≤24h 1, ≤168h 2, ≤720h 0, more 0.
    // Effects of finished production deployments (not d7 verifying, d8 staging, d9 before the window):
    //   errors −0.01 0.25 0.5 → median 0.25, p90 0.45; latency −0.04 0.02 0.06 0.30 → median 0.04, p90 0.06 + 0.7 × 0.24 = 0.228.
    private static readonly KpiDeployment[] Deployments =
    [
        Deployment("d1", At(3, 2, 10), At(3, 2, 11), DoraDeploymentStatus.Promoted, commit: At(3, 2, 8), full: true,
            effects: [("latency", 0.02), ("errors", -0.01)]),
        Deployment("d2", At(3, 5, 9), At(3, 5, 10), DoraDeploymentStatus.Promoted, commit: At(3, 3, 10), window: 3 * Hour,
            effects: [("latency", 0.06)]),
        Deployment("d3", At(3, 10, 12), At(3, 10, 12, 30), DoraDeploymentStatus.RolledBack, detected: At(3, 10, 12, 4), full: true,
            effects: [("latency", 0.30), ("errors", 0.5)]),
        Deployment("d4", At(3, 12, 0), At(3, 12, 0, 30), DoraDeploymentStatus.RolledBack, detected: At(3, 12, 0, 20),
            effects: [("errors", 0.25)]),
        Deployment("d5", At(3, 14, 0), At(3, 14, 1), DoraDeploymentStatus.RolledBack, full: true),
        Deployment("d6", At(3, 20, 0), At(3, 20, 1), DoraDeploymentStatus.Promoted, commit: At(3, 13, 1), full: true,
            effects: [("latency", -0.04)]),
        Deployment("d7", At(3, 30, 0), null, DoraDeploymentStatus.Verifying, effects: [("latency", 9.0)]),
        Deployment("d8", At(3, 15, 0), At(3, 15, 1), DoraDeploymentStatus.Promoted, full: true, environment: "staging",
            effects: [("latency", 9.0)]),
        Deployment("d9", At(2, 26, 0), At(2, 27, 1), DoraDeploymentStatus.Promoted, commit: At(2, 26, 0), effects: [("latency", 9.0)]),
        Deployment("d10", At(3, 25, 0), At(3, 25, 2), DoraDeploymentStatus.Promoted),
    ];

    private static readonly KpiPage[] Pages =
    [
        new("d1", At(3, 2, 11, 30), SloPage: true),    // p1
        new("d1", At(3, 2, 13), SloPage: false),       // p2
        new("d2", At(3, 5, 12), SloPage: false),       // p3
        new("d6", At(3, 20, 1, 10), SloPage: true),    // p4
        new("d6", At(3, 20, 0, 30), SloPage: true),    // p5
        new(null, At(3, 20, 1, 20), SloPage: true),    // not attributed
    ];

    [Fact]
    public void Compute_HandBuiltMonth_ExactKpis()
    {
        var sut = DeliveryKpiCalculator.Compute(Runs, Deployments, Pages, From, To, includeEnd: true);

        Assert.Equal((11, 0.5, 3, 0.25), (sut.PipelineRuns, sut.PipelineSuccessRate, sut.FlakyRuns, sut.SecurityGateFailureRate));
        Assert.Equal(12.0, sut.TimeToDetectMinutes);
        Assert.Equal(18.4, sut.TimeToDetectP90Minutes!.Value, 12);
        Assert.Equal((20.0, 0.5, 0.75), (sut.TimeToDetectPageMinutes, sut.ProvenanceCoverage, sut.PagesPerRelease));
        Assert.Equal((48.0, 144.0), (sut.LeadTimeP50Hours, sut.LeadTimeP90Hours));
        Assert.Equal(
            [new LeadTimeBucket(1, 0), new LeadTimeBucket(24, 1), new LeadTimeBucket(168, 2), new LeadTimeBucket(720, 0), new LeadTimeBucket(null, 0)],
            sut.LeadTimeHistogram);
        Assert.Equal(["errors", "latency"], sut.CanaryDeltas.Select(d => d.Metric));
        Assert.Equal((3, 0.25), (sut.CanaryDeltas[0].Deployments, sut.CanaryDeltas[0].MedianEffect));
        Assert.Equal(0.45, sut.CanaryDeltas[0].P90Effect, 12);
        Assert.Equal(4, sut.CanaryDeltas[1].Deployments);
        Assert.Equal(0.04, sut.CanaryDeltas[1].MedianEffect, 12);
        Assert.Equal(0.228, sut.CanaryDeltas[1].P90Effect, 12);
    }

    [Fact]
    public void Compute_NothingInTheWindow_NullNotZero()
    {
        var sut = DeliveryKpiCalculator.Compute(Runs, Deployments, Pages, At(1, 1, 0), At(1, 8, 0), includeEnd: true);

        Assert.Equal((0, 0), (sut.PipelineRuns, sut.FlakyRuns));
        Assert.Equal(
            new double?[] { null, null, null, null, null, null, null, null, null },
            [sut.PipelineSuccessRate, sut.SecurityGateFailureRate, sut.TimeToDetectMinutes, sut.TimeToDetectP90Minutes,
                sut.TimeToDetectPageMinutes, sut.ProvenanceCoverage, sut.PagesPerRelease, sut.LeadTimeP50Hours, sut.LeadTimeP90Hours]);
        Assert.All(sut.LeadTimeHistogram, b => Assert.Equal(0, b.Count));
        Assert.Empty(sut.CanaryDeltas);
    }

    [Fact]
    public void Compute_OnlyCancelledRuns_RunsCountedRatesUndefined()
    {
        var sut = DeliveryKpiCalculator.Compute(
            [Run("scan", KpiRunKind.Security, KpiRunOutcome.Cancelled, At(3, 2, 0), "c1")], [], [], From, To, includeEnd: true);

        Assert.Equal((1, (double?)null, (double?)null), (sut.PipelineRuns, sut.PipelineSuccessRate, sut.SecurityGateFailureRate));
    }
}
