using Verification.Analysis.Canary;
using Contracts = Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// Connects a deployment's registration and stored batches to the pure canary judge of <c>analysis/</c>, and maps its
/// verdict to the contract. One per activation; fed from the journal on activation and with every stored batch after.
/// </summary>
internal sealed class DeploymentJudge
{
    private readonly CanaryAnalysis _analysis;

    public DeploymentJudge(Contracts.RegisterDeploymentInput registration)
    {
        var analysis = registration.Analysis ?? new Contracts.AnalysisInput();
        _analysis = new CanaryAnalysis(new CanaryConfig(
            [.. registration.Metrics.Select(m =>
                new CanaryMetric(m.Name, Map(m.Kind), Map(m.Direction), m.Critical, m.AllowedChange, m.PromotionMargin))],
            analysis.Method == Contracts.AnalysisMethod.MannWhitney ? AnalysisMethod.MannWhitney : AnalysisMethod.Sequential,
            analysis.Alpha,
            analysis.MinDurationSeconds is { } min ? TimeSpan.FromSeconds(min) : null,
            analysis.MaxDurationSeconds is { } max ? TimeSpan.FromSeconds(max) : null));
    }

    public void Add(StoredBatch batch)
    {
        var cohort = batch.Cohort == Contracts.Cohort.Baseline ? CohortKind.Baseline : CohortKind.Canary;
        if (batch.Values is null)
        {
            _analysis.AddRatio(batch.Metric, cohort, batch.Count, batch.Total);
        }
        else
        {
            _analysis.AddValues(batch.Metric, cohort, batch.Values);
        }
    }

    /// <summary>
    /// The verdict at <paramref name="now"/>. A decided verdict (PROMOTE, ROLLBACK, INCONCLUSIVE) is final: a sequential
    /// test stops at its first crossing, and the CD tool may already have acted on it, so <paramref name="previous"/>
    /// is kept once decided.
    /// </summary>
    public Contracts.Verdict Judge(Contracts.Verdict previous, DateTimeOffset startedAt, DateTimeOffset now)
    {
        if (previous.Decision != Contracts.Decision.Pending)
        {
            return previous;
        }

        var verdict = _analysis.Evaluate(now - startedAt);
        var decision = verdict.Decision switch
        {
            CanaryDecision.Promote => Contracts.Decision.Promote,
            CanaryDecision.Rollback => Contracts.Decision.Rollback,
            CanaryDecision.Inconclusive => Contracts.Decision.Inconclusive,
            _ => Contracts.Decision.Pending,
        };
        return new Contracts.Verdict(
            decision,
            verdict.Reason,
            verdict.Score,
            decision == Contracts.Decision.Pending ? null : now,
            [.. verdict.Metrics.Select(m => new Contracts.MetricJudgement(
                m.Metric, Map(m.Classification), m.Critical, m.PValue, m.Effect, m.CiLow, m.CiHigh, m.BaselineCount, m.CanaryCount))]);
    }


    private static MetricKind Map(Contracts.MetricKind kind) =>
        kind == Contracts.MetricKind.Ratio ? MetricKind.Ratio : MetricKind.Continuous;

    private static MetricDirection Map(Contracts.Direction direction) => direction switch
    {
        Contracts.Direction.Increase => MetricDirection.Increase,
        Contracts.Direction.Decrease => MetricDirection.Decrease,
        _ => MetricDirection.Either,
    };

    private static Contracts.Classification Map(MetricClassification classification) => classification switch
    {
        MetricClassification.Pass => Contracts.Classification.Pass,
        MetricClassification.High => Contracts.Classification.High,
        MetricClassification.Low => Contracts.Classification.Low,
        MetricClassification.NoData => Contracts.Classification.Nodata,
        _ => Contracts.Classification.Error,
    };
}
