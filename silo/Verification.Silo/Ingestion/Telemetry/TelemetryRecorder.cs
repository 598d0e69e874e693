using System.Globalization;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Ingestion.Otlp;

namespace Verification.Silo.Ingestion.Telemetry;

/// <summary>
/// The steps a pushed-telemetry request shares after decoding (Otlp/README.md): look up the deployments it names,
/// and record the translated batches, one grain call per deployment, every batch validated before any is written.
/// </summary>
internal sealed class TelemetryRecorder(IGrainFactory grains, TimeProvider time)
{
    /// <summary>
    /// Most deployments one request is looked up for (each is a grain activation): a body naming more is not what a
    /// collector sends, and the points of the ids past it (in ordinal order) are rejected as unknown.
    /// </summary>
    public const int MaxDeploymentsPerRequest = 1_000;

    /// <summary>
    /// The telemetry target of every id, null for ids that are not registered deployments (or could not be one:
    /// an id that is not a valid identifier is never looked up, so telemetry cannot activate arbitrary grain keys).
    /// </summary>
    public async Task<Func<string, DeploymentTelemetryTarget?>> LookupAsync(IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var valid = ids.Where(IsIdentifier).Order(StringComparer.Ordinal).Take(MaxDeploymentsPerRequest).ToList();
        var deployments = await Task.WhenAll(valid.Select(id => grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken)))
            .ConfigureAwait(false);
        var targets = new Dictionary<string, DeploymentTelemetryTarget>(StringComparer.Ordinal);
        foreach (var deployment in deployments)
        {
            if (deployment is not null)
            {
                // Telemetry for a service outside the token's list refuses the request (403), as for /v1/samples.
                CallerContext.Current.DemandService(deployment.Service);
                targets[deployment.Id] = new DeploymentTelemetryTarget(deployment.Metrics, deployment.StartedAt, deployment.Status);
            }
        }

        return id => targets.GetValueOrDefault(id);
    }

    /// <summary>
    /// Records the translation's batches and commits its converter state once all of them are durable. A batch the
    /// deployment would refuse (e.g. a timestamp more than 5 minutes ahead of our clock) is left out and counted as
    /// rejected rather than failing the request; a storage failure propagates and nothing is committed, so the
    /// sender's retry produces the same batchIds, which the grains deduplicate.
    /// </summary>
    public async Task<TelemetryOutcome> RecordAsync(
        TelemetryTranslation translation, Func<string, DeploymentTelemetryTarget?> lookup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(translation);
        ArgumentNullException.ThrowIfNull(lookup);
        var now = time.GetUtcNow();
        var groups = new Dictionary<string, List<SamplesInput>>(StringComparer.Ordinal);
        long refused = 0;
        string? refusal = null;
        foreach (var batch in translation.Batches.SelectMany(Split))
        {
            try
            {
                SampleValidation.Validate(batch, lookup(batch.DeploymentId)?.Metrics, now);
            }
            catch (InputException e)
            {
                refused += batch.Values?.Count ?? 1;
                refusal ??= $"deployment '{batch.DeploymentId}' metric '{batch.Metric}': {e.Field}: {e.Reason}";
                continue;
            }

            if (!groups.TryGetValue(batch.DeploymentId, out var list))
            {
                groups[batch.DeploymentId] = list = [];
            }

            list.Add(batch);
        }

        var results = await Task.WhenAll(groups.Select(g => grains.GetGrain<IDeploymentGrain>(g.Key).RecordAsync(g.Value, cancellationToken)))
            .ConfigureAwait(false);
        translation.Commit();

        var rejected = translation.RejectedDataPoints + refused;
        var message = (translation.ErrorMessage, refusal) switch
        {
            (null, null) => null,
            (var m, null) => m,
            (null, var r) => string.Create(CultureInfo.InvariantCulture, $"{refused} value(s) refused: {r}"),
            (var m, var r) => string.Create(CultureInfo.InvariantCulture, $"{m}; {refused} value(s) refused: {r}"),
        };
        return new TelemetryOutcome(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates), rejected, message);
    }

    /// <summary>
    /// A grain takes at most <see cref="InputLimits.MaxValuesPerBatch"/> values per batch, while one request may yield
    /// more for one metric and cohort: such a batch is cut into parts whose batchIds derive from the original, so a
    /// retried request still deduplicates part by part.
    /// </summary>
    internal static IEnumerable<SamplesInput> Split(SamplesInput batch)
    {
        if (batch.Values is not { Count: > InputLimits.MaxValuesPerBatch } values)
        {
            yield return batch;
            yield break;
        }

        for (int offset = 0, part = 0; offset < values.Count; offset += InputLimits.MaxValuesPerBatch, part++)
        {
            var length = Math.Min(InputLimits.MaxValuesPerBatch, values.Count - offset);
            yield return batch with
            {
                Values = values.Skip(offset).Take(length).ToArray(),
                BatchId = batch.BatchId is null ? null : string.Create(CultureInfo.InvariantCulture, $"{batch.BatchId}.{part}"),
            };
        }
    }

    private static bool IsIdentifier(string id)
    {
        try
        {
            DeploymentValidation.Identifier("deployment", id);
            return true;
        }
        catch (InputException)
        {
            return false;
        }
    }
}

/// <summary>What one pushed request stored: batches written, batches known already, points rejected and why.</summary>
internal sealed record TelemetryOutcome(int Accepted, int Duplicates, long Rejected, string? Message);
