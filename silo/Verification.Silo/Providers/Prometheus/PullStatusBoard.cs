using System.Collections.Concurrent;
using Verification.Api.Contracts;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>How the last evaluation of one PromQL metric and cohort went.</summary>
internal enum PullOutcome
{
    /// <summary>The query answered with data.</summary>
    Ok,
    /// <summary>The query answered with no series (or no increase yet): the judge classifies the metric NODATA.</summary>
    Nodata,
    /// <summary>The query failed; <see cref="PullStatus.LastError"/> says why.</summary>
    Error,
}

/// <summary>The pull state of one metric and cohort of a deployment, as <c>GET /prometheus/pull/{deploymentId}</c> shows it.</summary>
internal sealed record PullStatus(
    string Metric, Cohort Cohort, PullOutcome Outcome, DateTimeOffset LastQueryAt, DateTimeOffset? LastDataAt, string? LastError,
    DateTimeOffset? LastErrorAt, string Query);

/// <summary>
/// In-memory record of the latest evaluation per deployment, metric and cohort. A failing query only keeps its metric
/// without data, which the judge already never promotes (NODATA blocks PROMOTE); this board says why.
/// </summary>
internal sealed class PullStatusBoard
{
    private readonly ConcurrentDictionary<(string Deployment, string Metric, Cohort Cohort), PullStatus> _statuses = new();

    public void Report(string deploymentId, string metric, Cohort cohort, string query, DateTimeOffset at, PullOutcome outcome, string? error)
    {
        _statuses.AddOrUpdate(
            (deploymentId, metric, cohort),
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

    public IReadOnlyList<PullStatus> For(string deploymentId) =>
        [.. _statuses.Where(p => p.Key.Deployment == deploymentId).Select(p => p.Value)
            .OrderBy(s => s.Metric, StringComparer.Ordinal).ThenBy(s => s.Cohort)];

    /// <summary>Forgets deployments that are no longer pulled (completed), so the board stays bounded by the active set.</summary>
    public void Retain(IReadOnlySet<string> deploymentIds)
    {
        foreach (var key in _statuses.Keys.Where(k => !deploymentIds.Contains(k.Deployment)))
        {
            _statuses.TryRemove(key, out _);
        }
    }
}
