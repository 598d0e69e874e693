using Verification.Analysis.Dora;

namespace Verification.Analysis.Tests.Dora;

public sealed class DoraCalculatorTests
{
    private static readonly DateTimeOffset Now = At(3, 31, 0);

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static DoraDeployment Deployment(
        string id,
        DateTimeOffset started,
        DateTimeOffset? finished,
        DoraDeploymentStatus status,
        DateTimeOffset? commit = null,
        bool unplanned = false,
        string environment = "production",
        params string[] incidents) =>
        new(id, "checkout", "payments", environment, started, finished, status, commit, unplanned, incidents);

    // The hand-computed month (window 1 March 00:00 – 31 March 00:00, 30 days):
    //   d1 promoted 2 Mar 11:00, commit 08:00            → lead 3 h
    //   d2 promoted 5 Mar 10:00, commit 3 Mar 10:00      → lead 48 h; incident i2 (still open) → failed
    //   d3 rolled back 10 Mar 12:00→12:30                → failed, recovery 0.5 h
    //   d4 promoted 12 Mar 02:00, commit 11 Mar 14:00    → lead 12 h; incident i1 05:00→09:00 → failed, recovery 4 h
    //   d5 promoted 20 Mar 01:00, commit 13 Mar 01:00    → lead 168 h; unplanned
    //   d6 aborted 22 Mar                                → finished, not failed
    //   d7 staging, d8 finished 27 Feb                   → not counted
    //   d9 still verifying since 30 Mar                  → counted for rework only
    private static (List<DoraDeployment> Deployments, List<DoraIncident> Incidents) Month()
    {
        var deployments = new List<DoraDeployment>
        {
            Deployment("d1", At(3, 2, 10), At(3, 2, 11), DoraDeploymentStatus.Promoted, At(3, 2, 8)),
            Deployment("d2", At(3, 5, 9), At(3, 5, 10), DoraDeploymentStatus.Promoted, At(3, 3, 10)),
            Deployment("d3", At(3, 10, 12), At(3, 10, 12, 30), DoraDeploymentStatus.RolledBack, At(3, 9, 0)),
            Deployment("d4", At(3, 12, 0), At(3, 12, 2), DoraDeploymentStatus.Promoted, At(3, 11, 14), incidents: "i1"),
            Deployment("d5", At(3, 20, 0), At(3, 20, 1), DoraDeploymentStatus.Promoted, At(3, 13, 1), unplanned: true),
            Deployment("d6", At(3, 22, 0), At(3, 22, 0, 10), DoraDeploymentStatus.Aborted),
            Deployment("d7", At(3, 15, 0), At(3, 15, 1), DoraDeploymentStatus.Promoted, At(3, 15, 0), environment: "staging"),
            Deployment("d8", At(2, 27, 0), At(2, 27, 1), DoraDeploymentStatus.Promoted, At(2, 26, 0)),
            Deployment("d9", At(3, 30, 0), null, DoraDeploymentStatus.Verifying),
        };
        var incidents = new List<DoraIncident>
        {
            new("i1", "checkout", null, At(3, 12, 5), At(3, 12, 9)),
            new("i2", "checkout", "d2", At(3, 6, 0), null),
        };
        return (deployments, incidents);
    }

    [Fact]
    public void Compute_HandComputedMonth_EveryMetric()
    {
        var (deployments, incidents) = Month();

        var sut = DoraCalculator.Compute(deployments, incidents, Now, 30);

        Assert.Equal(At(3, 1, 0), sut.From);
        Assert.Equal(Now, sut.To);
        // d1, d2, d3, d4, d5, d6, d9.
        Assert.Equal(7, sut.Deployments);
        // 4 promoted / 30 days = 0.1333 per day: below weekly (1/7 = 0.1429), above monthly → medium.
        Assert.Equal(4.0 / 30, sut.DeploymentFrequencyPerDay, 12);
        // Lead times sorted 3, 12, 48, 168. Median (type 7): h = 3 · 0.5 = 1.5 → 12 + 0.5 · 36 = 30.
        // P90: h = 3 · 0.9 = 2.7 → 48 + 0.7 · 120 = 132.
        Assert.Equal(30.0, sut.LeadTimeHours!.Value, 9);
        Assert.Equal(132.0, sut.LeadTimeP90Hours!.Value, 9);
        // Finished: d1–d6 (6). Failed: d2 (incident), d3 (rollback), d4 (incident) → 3/6.
        Assert.Equal(0.5, sut.ChangeFailureRate);
        // Recoveries: d3 0.5 h, d4 4 h (d2's incident is open: not recovered) → median 2.25 h.
        Assert.Equal(2.25, sut.RecoveryTimeHours);
        // Unplanned d5 of 7.
        Assert.Equal(1.0 / 7, sut.ReworkRate!.Value, 12);
        Assert.Equal(
            new DoraLevels(PerformanceLevel.Medium, PerformanceLevel.High, PerformanceLevel.Low, PerformanceLevel.High, PerformanceLevel.Low),
            sut.Levels);
        Assert.Equal(PerformanceLevel.Low, sut.Performance);
    }

    [Fact]
    public void Compute_NoDeployments_NullsNotZeros()
    {
        var sut = DoraCalculator.Compute([], [], Now, 30);

        Assert.Equal(0, sut.Deployments);
        Assert.Equal(0.0, sut.DeploymentFrequencyPerDay);
        Assert.Null(sut.LeadTimeHours);
        Assert.Null(sut.LeadTimeP90Hours);
        Assert.Null(sut.ChangeFailureRate);
        Assert.Null(sut.RecoveryTimeHours);
        Assert.Null(sut.ReworkRate);
        Assert.Equal(new DoraLevels(null, null, null, null, null), sut.Levels);
        Assert.Null(sut.Performance);
    }

    [Fact]
    public void Compute_SinglePromotedDeployment_DefinedMetricsOnly()
    {
        DoraDeployment[] deployments = [Deployment("d1", At(3, 30, 9), At(3, 30, 10), DoraDeploymentStatus.Promoted, At(3, 30, 5))];

        var sut = DoraCalculator.Compute(deployments, [], Now, 30);

        // 1/30 per day = exactly monthly → medium; lead 5 h (median = p90 of one value) → elite;
        // 0 failures of 1 → 0 → elite; no failure → recovery undefined. Overall: lowest → medium.
        Assert.Equal(1.0 / 30, sut.DeploymentFrequencyPerDay, 12);
        Assert.Equal(5.0, sut.LeadTimeHours);
        Assert.Equal(5.0, sut.LeadTimeP90Hours);
        Assert.Equal(0.0, sut.ChangeFailureRate);
        Assert.Null(sut.RecoveryTimeHours);
        Assert.Equal(0.0, sut.ReworkRate);
        Assert.Equal(PerformanceLevel.Elite, sut.Levels.LeadTime);
        Assert.Equal(PerformanceLevel.Medium, sut.Performance);
    }

    [Fact]
    public void Compute_SingleRollback_FailureAndRecoveryFromRolloutStart()
    {
        DoraDeployment[] deployments = [Deployment("d1", At(3, 30, 9), At(3, 30, 9, 45), DoraDeploymentStatus.RolledBack, At(3, 30, 5))];

        var sut = DoraCalculator.Compute(deployments, [], Now, 30);

        // No promotion: frequency 0 (low), no lead time; 1 of 1 failed; recovery 09:00 → 09:45 = 0.75 h (elite).
        Assert.Equal(0.0, sut.DeploymentFrequencyPerDay);
        Assert.Null(sut.LeadTimeHours);
        Assert.Equal(1.0, sut.ChangeFailureRate);
        Assert.Equal(0.75, sut.RecoveryTimeHours);
        Assert.Equal(PerformanceLevel.Elite, sut.Levels.RecoveryTime);
        Assert.Equal(PerformanceLevel.Low, sut.Performance);
    }

    [Fact]
    public void Compute_RollbackWithDetectionTime_RecoveryFromDetection()
    {
        // Rollout 09:00, ROLLBACK verdict 09:30, rollback done 09:36 → 0.1 h.
        DoraDeployment[] deployments =
        [
            Deployment("d1", At(3, 30, 9), At(3, 30, 9, 36), DoraDeploymentStatus.RolledBack) with { FailureDetectedAt = At(3, 30, 9, 30) },
        ];

        var sut = DoraCalculator.Compute(deployments, [], Now, 30);

        Assert.Equal(0.1, sut.RecoveryTimeHours!.Value, 12);
    }

    [Fact]
    public void Compute_DeploymentsAtWindowEnds_BothEndsIncluded()
    {
        DoraDeployment[] deployments =
        [
            Deployment("first", At(3, 1, 0), At(3, 1, 0), DoraDeploymentStatus.Promoted),
            Deployment("last", Now, Now, DoraDeploymentStatus.Promoted),
            Deployment("before", At(2, 28, 23, 59), At(2, 28, 23, 59), DoraDeploymentStatus.Promoted),
        ];

        var sut = DoraCalculator.Compute(deployments, [], Now, 30);

        Assert.Equal(2, sut.Deployments);
    }

    [Fact]
    public void Compute_IncidentLinkedBothWays_CountedOnce()
    {
        // i1 names d1 and d1 lists i1: one failure, recovery 2 h.
        DoraDeployment[] deployments = [Deployment("d1", At(3, 30, 9), At(3, 30, 10), DoraDeploymentStatus.Promoted, incidents: "i1")];
        DoraIncident[] incidents = [new("i1", "checkout", "d1", At(3, 30, 12), At(3, 30, 14))];

        var sut = DoraCalculator.Compute(deployments, incidents, Now, 30);

        Assert.Equal(1.0, sut.ChangeFailureRate);
        Assert.Equal(2.0, sut.RecoveryTimeHours);
    }

    [Fact]
    public void Weekly_TwoIsoWeeks_LastClippedToRange()
    {
        var (deployments, incidents) = Month();

        var sut = DoraCalculator.Weekly(deployments, incidents, At(3, 2, 0), At(3, 15, 12));

        // Monday 2 March 2026 starts ISO week 10 (week 1 began Monday 29 December 2025).
        Assert.Equal([(2026, 10), (2026, 11)], sut.Select(w => (w.IsoYear, w.IsoWeek)));
        // Week 10: d1 and d2 promoted in 7 days; d2 failed (open incident) → 1/2.
        Assert.Equal(2.0 / 7, sut[0].Metrics.DeploymentFrequencyPerDay, 12);
        Assert.Equal(0.5, sut[0].Metrics.ChangeFailureRate);
        // Week 11 runs 9 March 00:00 to 15 March 12:00 (6.5 days): d4 promoted, d3 rolled back.
        Assert.Equal(At(3, 15, 12), sut[1].Metrics.To);
        Assert.Equal(1 / 6.5, sut[1].Metrics.DeploymentFrequencyPerDay, 12);
        Assert.Equal(1.0, sut[1].Metrics.ChangeFailureRate);
        // Recoveries d3 0.5 h and d4 4 h → median 2.25 h.
        Assert.Equal(2.25, sut[1].Metrics.RecoveryTimeHours);
    }

    [Fact]
    public void Weekly_RangeEndingOnMonday_OneWeekIncludingItsEnd()
    {
        // 9 March 2026 00:00 is a Monday: the range is exactly ISO week 10, and a deployment
        // finishing at its very end is counted (the range is closed like Compute's window).
        DoraDeployment[] deployments = [Deployment("d", At(3, 8, 23), At(3, 9, 0), DoraDeploymentStatus.Promoted)];

        var sut = DoraCalculator.Weekly(deployments, [], At(3, 2, 0), At(3, 9, 0));

        var week = Assert.Single(sut);
        Assert.Equal(10, week.IsoWeek);
        Assert.Equal(1.0 / 7, week.Metrics.DeploymentFrequencyPerDay, 12);
    }

    [Theory]
    [InlineData(1.0, PerformanceLevel.Elite)]
    [InlineData(0.99, PerformanceLevel.High)]
    [InlineData(1.0 / 7, PerformanceLevel.High)]
    [InlineData(0.14, PerformanceLevel.Medium)]
    [InlineData(1.0 / 30, PerformanceLevel.Medium)]
    [InlineData(0.033, PerformanceLevel.Low)]
    public void FrequencyLevel_Boundaries_LevelAtOrAbove(double perDay, PerformanceLevel expected)
    {
        Assert.Equal(expected, DoraCalculator.FrequencyLevel(perDay));
    }

    [Theory]
    [InlineData(23.99, PerformanceLevel.Elite)]
    [InlineData(24.0, PerformanceLevel.High)]
    [InlineData(167.99, PerformanceLevel.High)]
    [InlineData(168.0, PerformanceLevel.Medium)]
    [InlineData(720.0, PerformanceLevel.Low)]
    public void LeadTimeLevel_Boundaries_StrictlyBelow(double hours, PerformanceLevel expected)
    {
        Assert.Equal(expected, DoraCalculator.LeadTimeLevel(hours));
    }

    [Theory]
    [InlineData(0.0, PerformanceLevel.Elite)]
    [InlineData(0.05, PerformanceLevel.Elite)]
    [InlineData(0.0501, PerformanceLevel.High)]
    [InlineData(0.10, PerformanceLevel.High)]
    [InlineData(0.15, PerformanceLevel.Medium)]
    [InlineData(0.1501, PerformanceLevel.Low)]
    public void ChangeFailureLevel_Boundaries_AtOrBelow(double rate, PerformanceLevel expected)
    {
        Assert.Equal(expected, DoraCalculator.ChangeFailureLevel(rate));
    }

    [Theory]
    [InlineData(0.99, PerformanceLevel.Elite)]
    [InlineData(1.0, PerformanceLevel.High)]
    [InlineData(24.0, PerformanceLevel.Medium)]
    [InlineData(168.0, PerformanceLevel.Low)]
    public void RecoveryLevel_Boundaries_StrictlyBelow(double hours, PerformanceLevel expected)
    {
        Assert.Equal(expected, DoraCalculator.RecoveryLevel(hours));
    }

    [Fact]
    public void Compute_OverriddenDeployments_CountedWhenFinishedInTheWindow()
    {
        DoraDeployment[] deployments =
        [
            Deployment("o1", At(3, 2, 10), At(3, 2, 11), DoraDeploymentStatus.Promoted) with { Override = true },
            Deployment("o2", At(3, 3, 10), At(3, 3, 11), DoraDeploymentStatus.RolledBack) with { Override = true },
            Deployment("o3", At(3, 4, 10), At(3, 4, 11), DoraDeploymentStatus.Promoted),
            Deployment("o4", At(2, 2, 10), At(2, 2, 11), DoraDeploymentStatus.Promoted) with { Override = true },
            Deployment("o5", At(3, 5, 10), At(3, 5, 11), DoraDeploymentStatus.Promoted, environment: "staging") with { Override = true },
        ];

        var sut = DoraCalculator.Compute(deployments, [], Now, 30);

        Assert.Equal(2, sut.Overrides);
    }
}
