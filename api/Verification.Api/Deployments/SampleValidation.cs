using Verification.Api.Contracts;

namespace Verification.Api.Deployments;

/// <summary>Validates one batch of samples against the deployment's metric definitions.</summary>
public static class SampleValidation
{
    /// <summary>
    /// Throws <see cref="InputException"/> naming the field and the reason; <paramref name="metrics"/> null means the
    /// deployment is unknown. Returns the definition of the batch's metric.
    /// </summary>
    public static MetricDefinition Validate(SamplesInput batch, IReadOnlyList<MetricDefinition>? metrics, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(batch);
        DeploymentValidation.Identifier("deploymentId", batch.DeploymentId);
        if (metrics is null)
        {
            throw new InputException("deploymentId", $"unknown deployment '{batch.DeploymentId}'");
        }

        if (!Enum.IsDefined(batch.Cohort))
        {
            throw new InputException("cohort", "must be BASELINE or CANARY");
        }

        DeploymentValidation.Text("metric", batch.Metric);
        var definition = metrics.FirstOrDefault(m => m.Name == batch.Metric)
            ?? throw new InputException("metric", $"deployment '{batch.DeploymentId}' has no metric '{batch.Metric}'");

        if (batch.BatchId is not null)
        {
            DeploymentValidation.Text("batchId", batch.BatchId, InputLimits.MaxIdLength);
        }

        if (batch.At is { } at && at > now + InputLimits.MaxFutureSkew)
        {
            throw new InputException("at", $"{at:O} is in the future (now {now:O})");
        }

        if (definition.Kind == MetricKind.Ratio)
        {
            ValidateRatio(batch);
        }
        else
        {
            ValidateContinuous(batch);
        }

        return definition;
    }

    private static void ValidateRatio(SamplesInput batch)
    {
        if (batch.Values is not null)
        {
            throw new InputException("values", $"metric '{batch.Metric}' is RATIO: send count and total, not values");
        }

        if (batch.Count is not { } count)
        {
            throw new InputException("count", $"is required for RATIO metric '{batch.Metric}'");
        }

        if (batch.Total is not { } total)
        {
            throw new InputException("total", $"is required for RATIO metric '{batch.Metric}'");
        }

        if (count < 0)
        {
            throw new InputException("count", $"must not be negative, got {count}");
        }

        if (total < 0)
        {
            throw new InputException("total", $"must not be negative, got {total}");
        }

        if (count > total)
        {
            throw new InputException("count", $"must not exceed total ({count} > {total})");
        }

        if (total > InputLimits.MaxCohortEvents)
        {
            throw new InputException("total", $"must be at most {InputLimits.MaxCohortEvents}, got {total}");
        }
    }

    /// <summary>
    /// Refuses the request when a RATIO cohort's summed <c>total</c> would pass <see cref="InputLimits.MaxCohortEvents"/>:
    /// <paramref name="storedTotals"/> are the sums held now, batches whose <c>batchId</c> <paramref name="isKnownBatch"/>
    /// (or repeats within the request) add nothing. Call after <see cref="Validate"/> accepted every batch.
    /// </summary>
    public static void CheckCohortTotals(
        IReadOnlyList<SamplesInput> batches,
        IReadOnlyDictionary<(string Metric, Cohort Cohort), long> storedTotals,
        Func<string, bool> isKnownBatch)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(storedTotals);
        ArgumentNullException.ThrowIfNull(isKnownBatch);
        var totals = new Dictionary<(string, Cohort), long>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var batch in batches)
        {
            if (batch.Total is not { } total || (batch.BatchId is { } id && (isKnownBatch(id) || !seen.Add(id))))
            {
                continue;
            }

            var key = (batch.Metric, batch.Cohort);
            var sum = totals.TryGetValue(key, out var pending) ? pending : storedTotals.GetValueOrDefault(key);
            // Both terms are at most MaxCohortEvents (2^53), so the sum cannot wrap.
            sum += total;
            if (sum > InputLimits.MaxCohortEvents)
            {
                throw new InputException(
                    "total",
                    $"{batch.Cohort} of metric '{batch.Metric}' would hold {sum} events; at most {InputLimits.MaxCohortEvents} are accepted per cohort");
            }

            totals[key] = sum;
        }
    }

    private static void ValidateContinuous(SamplesInput batch)
    {
        if (batch.Count is not null || batch.Total is not null)
        {
            throw new InputException("count", $"metric '{batch.Metric}' is CONTINUOUS: send values, not count/total");
        }

        if (batch.Values is not { Count: > 0 } values)
        {
            throw new InputException("values", $"at least one value is required for CONTINUOUS metric '{batch.Metric}'");
        }

        if (values.Count > InputLimits.MaxValuesPerBatch)
        {
            throw new InputException("values", $"at most {InputLimits.MaxValuesPerBatch} values per batch, got {values.Count}");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new InputException($"values[{i}]", $"must be a finite number, got {values[i]}");
            }

            if (Math.Abs(values[i]) > InputLimits.MaxAbsValue)
            {
                throw new InputException($"values[{i}]", $"must be within ±{InputLimits.MaxAbsValue:R}, got {values[i]:R}");
            }
        }
    }
}
