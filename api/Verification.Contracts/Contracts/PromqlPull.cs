namespace Verification.Api.Contracts;

/// <summary>
/// The PromQL pull of one deployment, implemented by its deployment grain (the same activation as
/// <see cref="IDeploymentGrain"/> of the same key): the grain pulls on its own schedule, so the status lives there and any
/// silo can ask for it.
/// </summary>
[Alias("Verification.IPromqlPullGrain")]
public interface IPromqlPullGrain : IGrainWithStringKey
{
    /// <summary>The last evaluation of each PromQL metric and cohort in this activation; empty when nothing is pulled.</summary>
    [Alias("GetPullStatusAsync")]
    Task<IReadOnlyList<PullStatus>> GetPullStatusAsync(CancellationToken cancellationToken);
}

/// <summary>How the last evaluation of one PromQL metric and cohort went.</summary>
[GenerateSerializer]
[Alias("Verification.PullOutcome")]
public enum PullOutcome
{
    /// <summary>The query answered with data.</summary>
    Ok,
    /// <summary>The query answered with no series (or no increase yet): the judge classifies the metric NODATA.</summary>
    Nodata,
    /// <summary>The query failed; <see cref="PullStatus.LastError"/> says why.</summary>
    Error,
}

/// <summary>The pull state of one metric and cohort of a deployment, as <c>GET /prometheus/pull/{deploymentId}</c> shows it.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.PullStatus")]
public sealed record PullStatus(
    string Metric, Cohort Cohort, PullOutcome Outcome, DateTimeOffset LastQueryAt, DateTimeOffset? LastDataAt, string? LastError,
    DateTimeOffset? LastErrorAt, string Query);
