using System.Collections.Concurrent;
using Verification.Api.Contracts;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>
/// The latest evaluation per metric and cohort of one deployment, kept by its grain activation (<see cref="PrometheusPull"/>).
/// A failing query only keeps its metric without data, which the judge already never promotes (NODATA blocks PROMOTE); this
/// board says why.
/// </summary>
internal sealed class PullStatusBoard
{
    private readonly ConcurrentDictionary<(string Metric, Cohort Cohort), PullStatus> _statuses = new();

    public void Report(string metric, Cohort cohort, string query, DateTimeOffset at, PullOutcome outcome, string? error)
    {
        _statuses.AddOrUpdate(
            (metric, cohort),
            _ => new PullStatus(metric, cohort, outcome, at, outcome == PullOutcome.Ok ? at : null, error,
                error is null ? null : at, query),
            (_, old) => old with
            {
                Outcome = outcome,
                LastQueryAt = at,
                LastDataAt = outcome == PullOutcome.Ok ? at : old.LastDataAt,
                LastError = error ?? old.LastError,
                LastErrorAt = error is null ? old.LastErrorAt : at,
                Query = query,
            });
    }

    public IReadOnlyList<PullStatus> All() =>
        [.. _statuses.Values.OrderBy(s => s.Metric, StringComparer.Ordinal).ThenBy(s => s.Cohort)];
}
