using Verification.Api.Contracts;

namespace Verification.Bench.GraphQL;

/// <summary>The standard verdict query a CD tool polls (issue 3, item 5), and the deployment it is measured on.</summary>
internal static class VerdictQuery
{
    public const string DeploymentId = "bench-graphql";

    public const string Text =
        "query($id: ID!) { deployment(id: $id) { id status verdict { decision reason score decidedAt "
        + "metrics { metric classification pValue effect ciLow ciHigh baselineCount canaryCount } } } }";

    /// <summary>Three metrics (the shape the HTTP benchmark registers): a failing critical error ratio, two passing.</summary>
    public static Deployment SampleDeployment()
    {
        var at = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        MetricJudgement[] judgements =
        [
            new("errors", Classification.High, true, 1.2e-9, 29.0, 8.1, 141.0, 10_000, 10_000),
            new("latency", Classification.Pass, false, 0.42, 0.013, -0.021, 0.047, 2_000, 2_000),
            new("saturation", Classification.Pass, false, 0.77, -0.004, -0.03, 0.022, 2_000, 2_000),
        ];
        return new Deployment(
            DeploymentId, "checkout", "v2", "production", "0f3c2a1", at.AddHours(-3), at.AddMinutes(-10), null, DeploymentStatus.Verifying,
            [new MetricDefinition("errors", MetricKind.Ratio, Direction.Increase, true, null, null),
             new MetricDefinition("latency", MetricKind.Continuous, Direction.Increase, false, 0.2, null),
             new MetricDefinition("saturation", MetricKind.Continuous, Direction.Increase, false, 0.2, null)],
            new AnalysisInput(),
            [],
            new Verdict(Decision.Rollback, "errors is higher on the canary (critical).", 66.7, at, judgements));
    }
}
