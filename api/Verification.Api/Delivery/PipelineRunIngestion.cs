using System.Globalization;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Delivery;

/// <summary>
/// Records pipeline runs (<c>POST /v1/pipeline-runs</c>, <c>recordPipelineRun</c>, the CI webhooks) the way samples and SLO
/// events are recorded: every run validated first (a bad one rejects the whole request before anything is written, as a
/// <see cref="BatchInputException"/> with its index), then each service's runs appended in one grain call, services in
/// parallel, acknowledged after commit, de-duplicated by batch id.
/// </summary>
public sealed class PipelineRunIngestion(IGrainFactory grains, TimeProvider time)
{
    public const int MaxArtifactLength = 1000;
    public const int MaxAttempt = 1000;

    /// <summary>How old a run's finish may be: the longest delivery window asked for, and a day of slack.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(DeliveryService.MaxDays + 1);

    /// <summary>GraphQL <c>recordPipelineRun</c>: one run.</summary>
    public async Task<PipelineRunPayload> RecordAsync(PipelineRunInput input, CancellationToken cancellationToken)
    {
        try
        {
            var result = await RecordBulkAsync([input], cancellationToken).ConfigureAwait(false);
            return new PipelineRunPayload(result.Accepted, result.Duplicates > 0);
        }
        catch (BatchInputException e)
        {
            throw e.Input;
        }
    }

    /// <summary>Bulk: validates every run, then stores them; answers how many were new and how many were known.</summary>
    public async Task<PipelineRunsResult> RecordBulkAsync(IReadOnlyList<PipelineRunInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count > InputLimits.MaxBatchesPerRequest)
        {
            throw new BatchInputException(inputs.Count - 1,
                new InputException("runs", $"at most {InputLimits.MaxBatchesPerRequest} runs per request, got {inputs.Count}"));
        }

        var now = time.GetUtcNow();
        var runs = new List<PipelineRun>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            try
            {
                runs.Add(Normalize(inputs[i], now));
            }
            catch (InputException e)
            {
                throw new BatchInputException(i, e);
            }
        }

        if (runs.Count == 0)
        {
            return new PipelineRunsResult(0, 0);
        }

        // A token limited to services records runs of those only (nothing is stored when one is outside its list).
        foreach (var service in runs.Select(r => r.Service).Distinct(StringComparer.Ordinal))
        {
            Access.CallerContext.Current.DemandService(service);
        }

        var results = await Task.WhenAll(runs.GroupBy(r => r.Service, StringComparer.Ordinal)
                .Select(g => grains.GetGrain<IPipelineGrain>(g.Key).RecordAsync([.. g], cancellationToken)))
            .ConfigureAwait(false);
        return new PipelineRunsResult(results.Sum(r => r.Accepted), results.Sum(r => r.Duplicates));
    }

    /// <summary>Validates a run and applies its defaults; <see cref="InputException"/> names the first bad field.</summary>
    public static PipelineRun Normalize(PipelineRunInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(input);
        DeploymentValidation.Text("service", input.Service);
        DeploymentValidation.Text("pipeline", input.Pipeline);
        DeploymentValidation.Text("runId", input.RunId, InputLimits.MaxIdLength);
        if (!Enum.IsDefined(input.Kind))
        {
            throw new InputException("kind", "must be BUILD, TEST, SECURITY or DEPLOY");
        }

        if (!Enum.IsDefined(input.Status))
        {
            throw new InputException("status", "must be SUCCEEDED, FAILED or CANCELLED");
        }

        if (input.CommitSha is not null)
        {
            DeploymentValidation.Text("commitSha", input.CommitSha);
        }

        if (input.Artifact is not null)
        {
            DeploymentValidation.Text("artifact", input.Artifact, MaxArtifactLength);
        }

        if (input.Attempt is < 1 or > MaxAttempt)
        {
            throw new InputException("attempt", $"must be between 1 and {MaxAttempt}, got {input.Attempt}");
        }

        if (input.BatchId is not null)
        {
            DeploymentValidation.Text("batchId", input.BatchId, InputLimits.MaxIdLength);
        }

        var finished = input.FinishedAt?.ToUniversalTime() ?? now;
        var started = input.StartedAt?.ToUniversalTime();
        if (finished > now + InputLimits.MaxFutureSkew)
        {
            throw new InputException("finishedAt", $"{finished:O} is in the future (now {now:O})");
        }

        if (now - finished > MaxAge)
        {
            throw new InputException("finishedAt", $"{finished:O} is more than {MaxAge.TotalDays:0} days ago; no delivery window reaches it");
        }

        if (started > finished)
        {
            throw new InputException("startedAt", $"{started:O} is after finishedAt ({finished:O})");
        }

        var attempt = input.Attempt ?? 1;
        var batchId = input.BatchId ?? string.Create(CultureInfo.InvariantCulture, $"{input.Pipeline}/{input.RunId}/{attempt}");
        if (batchId.Length > InputLimits.MaxIdLength)
        {
            throw new InputException("batchId", $"the default '{{pipeline}}/{{runId}}/{{attempt}}' is longer than {InputLimits.MaxIdLength} characters; send a batchId");
        }

        return new PipelineRun(input.Service, input.Pipeline, input.RunId, input.Kind, input.Status, started, finished,
            input.CommitSha, input.Artifact, attempt, batchId);
    }
}
