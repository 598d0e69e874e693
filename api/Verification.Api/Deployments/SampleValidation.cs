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
        }
    }
}
