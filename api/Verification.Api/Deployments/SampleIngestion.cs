using System.Globalization;
using System.Text.Json;
using Verification.Api.Access;
using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>
/// Records batches that may span several deployments: validates every batch first (so a bad one rejects the whole
/// request before anything is written), then appends each deployment's batches in one grain call, deployments in parallel.
/// </summary>
public sealed class SampleIngestion(IGrainFactory grains, TimeProvider time)
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

        var deployments = await Task.WhenAll(groups.Keys.Select(id => grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken)))
            .ConfigureAwait(false);
        var now = time.GetUtcNow();
        var byDeployment = groups.Keys.Zip(deployments).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        for (var i = 0; i < batches.Count; i++)
        {
            var deployment = byDeployment[batches[i].DeploymentId];
            try
            {
                // An unknown deployment is refused to a token limited to services in the same words as another service's.
                CallerContext.Current.DemandDeployment(deployment);
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

            if (deployment is { Status: not DeploymentStatus.Verifying })
            {
                throw new BatchConflictException(i, FinishedDeployment.Conflict(deployment.Id, deployment.Status, deployment.FinishedAt));
            }
        }

        var results = await Task.WhenAll(groups.Select(g =>
                grains.GetGrain<IDeploymentGrain>(g.Key).RecordAsync([.. g.Value.Select(i => batches[i])], cancellationToken)))
            .ConfigureAwait(false);
        return new IngestionResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates), results.Sum(r => r.AcceptedValues), results);
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
