using System.Globalization;
using System.Text.Json;
using Verification.Api.Access;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// Records batches that may span several deployments: validates every batch first (so a bad one rejects the whole
/// request before anything is written), then appends each deployment's batches in one grain call, deployments in parallel.
/// The registration parts the checks need come from this silo's <see cref="DeploymentRegistrations"/>.
/// </summary>
public sealed class SampleIngestion(IGrainFactory grains, DeploymentRegistrations registrations, TimeProvider time)
{
    /// <summary>
    /// Validates and records. Throws <see cref="BatchInputException"/> naming the index of the first bad batch, and
    /// <see cref="BatchConflictException"/> for the first batch of a deployment that was already completed.
    /// When storage fails for one deployment after others were written, the others stay written; a retry with the
    /// same batchIds counts none of them twice.
    /// </summary>
    public async Task<IngestionResult> RecordAsync(IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count > InputLimits.MaxBatchesPerRequest)
        {
            throw new BatchInputException(batches.Count - 1,
                new InputException("batches", $"at most {InputLimits.MaxBatchesPerRequest} batches per request, got {batches.Count}"));
        }

        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < batches.Count; i++)
        {
            var id = batches[i].DeploymentId;
            try
            {
                DeploymentValidation.Identifier("deploymentId", id);
            }
            catch (InputException e)
            {
                throw new BatchInputException(i, e);
            }

            if (!groups.TryGetValue(id, out var list))
            {
                groups[id] = list = [];
            }

            list.Add(i);
        }

        // What the checks need is remembered per silo (DeploymentRegistrations): a request for one deployment makes one grain
        // call, RecordAsync. A request spanning several deployments reads the statuses of those not known to be completed,
        // so that a completed one refuses the whole request before anything is written.
        var fresh = groups.Count > 1;
        var deployments = await Task.WhenAll(groups.Keys.Select(id => registrations.GetAsync(id, fresh, cancellationToken)))
            .ConfigureAwait(false);
        var now = time.GetUtcNow();
        var byDeployment = groups.Keys.Zip(deployments).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        for (var i = 0; i < batches.Count; i++)
        {
            var deployment = byDeployment[batches[i].DeploymentId];
            try
            {
                // An unknown deployment is refused to a token limited to services in the same words as another service's.
                CallerContext.Current.DemandDeploymentOf(deployment?.Service);
            }
            catch (ForbiddenException e)
            {
                throw new ForbiddenException($"batch {i + 1}: {e.Message}");
            }

            try
            {
                SampleValidation.Validate(batches[i], deployment?.Metrics, now);
            }
            catch (InputException e)
            {
                throw new BatchInputException(i, e);
            }

            if (deployment is { Completed: true })
            {
                throw new BatchConflictException(i, FinishedDeployment.Conflict(deployment.Id, deployment.Status, deployment.FinishedAt));
            }
        }

        var results = await Task.WhenAll(groups.Select(g => RecordAsync(g.Key, g.Value, batches, cancellationToken))).ConfigureAwait(false);
        return new IngestionResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates), results.Sum(r => r.AcceptedValues), results);
    }

    /// <summary>
    /// Appends the batches at <paramref name="indexes"/> to deployment <paramref name="id"/>. The grain refuses a deployment
    /// completed since this silo read it (a conflict, nothing written): answered as for the deployment's first batch, and
    /// forgotten here so that the next request knows.
    /// </summary>
    private async Task<RecordResult> RecordAsync(string id, List<int> indexes, IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetGrain<IDeploymentGrain>(id).RecordAsync([.. indexes.Select(i => batches[i])], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ConflictException e)
        {
            registrations.Forget(id);
            throw new BatchConflictException(indexes[0], e);
        }
    }
}

/// <summary>What a bulk ingestion stored.</summary>
public sealed record IngestionResult(int Accepted, int Duplicates, long Values, IReadOnlyList<RecordResult> PerDeployment);

/// <summary>
/// Samples for a completed deployment are refused: its verdict no longer moves, so they could only mislead (the
/// HTTP and GraphQL answer is a conflict on <c>deploymentId</c>; pushed telemetry counts them as rejected points).
/// </summary>
public static class FinishedDeployment
{
    public static string Reason(string id, DeploymentStatus status, DateTimeOffset? finishedAt) =>
        $"deployment '{id}' was completed as {JsonNamingPolicy.SnakeCaseUpper.ConvertName(status.ToString())}"
        + (finishedAt is { } at ? $" at {at.ToString("O", CultureInfo.InvariantCulture)}" : "")
        + "; its verdict no longer changes, so samples for it are not stored";

    public static ConflictException Conflict(string id, DeploymentStatus status, DateTimeOffset? finishedAt) =>
        ConflictException.OnField("deploymentId", Reason(id, status, finishedAt));
}

/// <summary>Batch number <see cref="Index"/> (0-based) of a request conflicts with what is stored.</summary>
public sealed class BatchConflictException(int index, ConflictException inner) : Exception(inner.Message, inner)
{
    public int Index { get; } = index;

    public ConflictException Conflict { get; } = inner;
}

/// <summary>Batch number <see cref="Index"/> (0-based) of a request is invalid.</summary>
public sealed class BatchInputException(int index, InputException inner) : Exception(inner.Message, inner)
{
    public int Index { get; } = index;

    public InputException Input { get; } = inner;
}
