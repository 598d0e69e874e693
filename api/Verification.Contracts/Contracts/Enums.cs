namespace Verification.Api.Contracts;

// Enum members serialize as the GraphQL spellings of docs/API.md (SCREAMING_SNAKE_CASE)
// through ContractJson.Options; keep member names so that conversion gives exactly those names.

/// <summary>Which cohort a sample belongs to.</summary>
[GenerateSerializer]
[Alias("Verification.Cohort")]
public enum Cohort
{
    Baseline,
    Canary,
}

/// <summary>RATIO: count/total events (e.g. errors/requests); CONTINUOUS: observed values (e.g. latency ms).</summary>
[GenerateSerializer]
[Alias("Verification.MetricKind")]
public enum MetricKind
{
    Ratio,
    Continuous,
}

/// <summary>Which change of the canary is bad.</summary>
[GenerateSerializer]
[Alias("Verification.Direction")]
public enum Direction
{
    Increase,
    Decrease,
    Either,
}

/// <summary>The verdict a CD tool acts on.</summary>
[GenerateSerializer]
[Alias("Verification.Decision")]
public enum Decision
{
    Pending,
    Promote,
    Rollback,
    Inconclusive,
}

/// <summary>Per-metric classification, Kayenta-compatible.</summary>
[GenerateSerializer]
[Alias("Verification.Classification")]
public enum Classification
{
    Pass,
    High,
    Low,
    Nodata,
    Error,
}

/// <summary>What the CD tool did with the deployment.</summary>
[GenerateSerializer]
[Alias("Verification.DeploymentStatus")]
public enum DeploymentStatus
{
    Verifying,
    Promoted,
    RolledBack,
    Aborted,
}

/// <summary>SEQUENTIAL = always-valid default; MANN_WHITNEY = Kayenta-compatible fixed-horizon rank test.</summary>
[GenerateSerializer]
[Alias("Verification.AnalysisMethod")]
public enum AnalysisMethod
{
    Sequential,
    MannWhitney,
}
