using System.Collections.Immutable;
using Verification.Analysis.Slo;

namespace Verification.Api.Slo;

/// <summary>
/// Where one side of a ratio SLI comes from (OpenSLO v1 <c>metricSource</c>), as written: the
/// metric source type, a DataSource reference, and the scalar fields of its free-form <c>spec</c>.
/// </summary>
/// <remarks>Equality is by value (also of <see cref="Spec"/>), so re-applying the same YAML compares equal.</remarks>
public sealed record SloMetricSource(string? Type, string? SourceRef, ImmutableSortedDictionary<string, string> Spec)
{
    // The spec is free-form per data source; these are the fields that name a metric or query in the
    // OpenSLO examples (Prometheus `query`, Datadog `query`, generic `metric`/`metricName`/`name`).
    private static readonly string[] MetricKeys = ["metric", "metricName", "query", "promql", "name"];

    /// <summary>The metric name or query this side reads: the first of spec.metric, metricName, query, promql, name.</summary>
    public string? Metric => MetricKeys.Select(k => Spec.TryGetValue(k, out var v) ? v : null).FirstOrDefault(v => v is not null);

    public bool Equals(SloMetricSource? other) =>
        other is not null && Type == other.Type && SourceRef == other.SourceRef && Spec.SequenceEqual(other.Spec);

    public override int GetHashCode() => HashCode.Combine(Type, SourceRef, Spec.Count);
}

/// <summary>A ratio SLI (OpenSLO v1 <c>ratioMetric</c>): good/total or bad/total.</summary>
/// <param name="Name">The SLI's metadata.name (inline indicators may omit it).</param>
/// <param name="Counter">OpenSLO <c>counter</c>: the sources are monotonically increasing counters.</param>
public sealed record SloIndicator(
    string? Name,
    string? DisplayName,
    SloMetricSource? Good,
    SloMetricSource? Bad,
    SloMetricSource Total,
    bool? Counter);

/// <summary>One objective of an SLO, with the policy <see cref="SloBuckets"/> evaluates.</summary>
/// <param name="Target">Fraction promised, from <c>target</c> or <c>targetPercent</c> / 100.</param>
public sealed record SloObjective(string? DisplayName, double Target, SloPolicy Policy);

/// <summary>An SLO read from an OpenSLO v1 <c>kind: SLO</c> document.</summary>
/// <remarks>Equality is by value (also of <see cref="Objectives"/>), so re-applying the same YAML compares equal.</remarks>
public sealed record SloDefinition(
    string Service,
    string Name,
    string? DisplayName,
    string? Description,
    SloIndicator Indicator,
    SloWindow Window,
    BudgetingMethod BudgetingMethod,
    IReadOnlyList<SloObjective> Objectives)
{
    public bool Equals(SloDefinition? other) =>
        other is not null && Service == other.Service && Name == other.Name && DisplayName == other.DisplayName
        && Description == other.Description && Indicator == other.Indicator && Window == other.Window
        && BudgetingMethod == other.BudgetingMethod && Objectives.SequenceEqual(other.Objectives);

    public override int GetHashCode() => HashCode.Combine(Service, Name, Window, BudgetingMethod);
}

/// <summary>
/// The SLOs of an OpenSLO input, or the errors that kept it from being accepted: when there is any
/// error, <see cref="Slos"/> is empty (all or nothing). Notes report what was read but ignored.
/// </summary>
public sealed record OpenSloParseResult(
    IReadOnlyList<SloDefinition> Slos,
    IReadOnlyList<OpenSloError> Errors,
    IReadOnlyList<string> Notes)
{
    public bool IsValid => Errors.Count == 0;
}
