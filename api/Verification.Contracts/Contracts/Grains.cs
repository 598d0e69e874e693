namespace Verification.Api.Contracts;

/// <summary>One grain per deployment: owns its registration, its samples and its verdict.</summary>
[Alias("Verification.IDeploymentGrain")]
public interface IDeploymentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the deployment. The same input again returns it with <c>Created = false</c>;
    /// a different input for the same id throws <see cref="ConflictException"/>.
    /// </summary>
    [Alias("RegisterAsync")]
    Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken);

    /// <summary>The deployment, or null when it was never registered.</summary>
    [Alias("GetAsync")]
    Task<Deployment?> GetAsync(CancellationToken cancellationToken);

    /// <summary>The registered metric definitions, or null when the deployment is unknown (for validating bulk input).</summary>
    [Alias("GetMetricsAsync")]
    Task<IReadOnlyList<MetricDefinition>?> GetMetricsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends the batches durably (one transaction), skipping batches whose batchId is already stored,
    /// then re-judges. Every batch must pass <see cref="SampleValidation"/> against this deployment, else
    /// <see cref="InputException"/> and nothing is stored.
    /// </summary>
    [Alias("RecordAsync")]
    Task<RecordResult> RecordAsync(IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken);

    /// <summary>Records what the CD tool finally did.</summary>
    [Alias("CompleteAsync")]
    Task<Deployment> CompleteAsync(DeploymentStatus status, CancellationToken cancellationToken);

    /// <summary>
    /// Reports whether a pulled metric's source works: <paramref name="error"/> is the source's failure (e.g. a PromQL
    /// error), null once it works again. While any source fails the deployment is not promoted on the samples already
    /// stored (fail safe); a ROLLBACK shown by them stands. Re-judges when the state changes.
    /// </summary>
    [Alias("ReportSourceAsync")]
    Task<Verdict> ReportSourceAsync(string metric, string? error, CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="first"/> stored sample batches after the journal sequence <paramref name="after"/> (0: from the
    /// start), in journal order; empty when the deployment is unknown.
    /// </summary>
    [Alias("ReadSamplesAsync")]
    Task<StoredSamplePage> ReadSamplesAsync(long after, int first, CancellationToken cancellationToken);
}

/// <summary>The answer to a registration.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.RegisterResult")]
public sealed record RegisterResult(Deployment Deployment, bool Created);

/// <summary>The answer to recording batches: how many were stored and how many were known already.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.RecordResult")]
public sealed record RecordResult(int Accepted, int Duplicates, long AcceptedValues, Verdict Verdict);

/// <summary>Publishes verdict changes to subscribers (GraphQL <c>verdictChanged</c>) in this process.</summary>
public interface IVerdictFeed
{
    void Publish(string deploymentId, Verdict verdict);

    IAsyncEnumerable<Verdict> SubscribeAsync(string deploymentId, CancellationToken cancellationToken);
}

/// <summary>Lists stored deployments without activating their grains (for <c>deployments</c> and DORA).</summary>
public interface IDeploymentDirectory
{
    /// <summary>
    /// Deployments ordered by id, after the id <paramref name="after"/> (exclusive), filtered, at most <paramref name="first"/>.
    /// </summary>
    Task<IReadOnlyList<Deployment>> ListAsync(DeploymentFilter filter, int first, string? after, CancellationToken cancellationToken);
}

/// <summary>Filters of a deployment listing; null matches anything.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.DeploymentFilter")]
public sealed record DeploymentFilter(string? Service = null, string? Environment = null, DeploymentStatus? Status = null);

/// <summary>Reading a whole listing page by page.</summary>
public static class DeploymentDirectoryExtensions
{
    /// <summary>Deployments per page when enumerating a whole listing.</summary>
    public const int PageSize = 500;

    /// <summary>Every deployment matching <paramref name="filter"/>, ordered by id, fetched a page at a time.</summary>
    public static async IAsyncEnumerable<Deployment> ListAllAsync(this IDeploymentDirectory directory, DeploymentFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string? after = null;
        while (true)
        {
            var page = await directory.ListAsync(filter, PageSize, after, cancellationToken).ConfigureAwait(false);
            foreach (var deployment in page)
            {
                yield return deployment;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }
}
