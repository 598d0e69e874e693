using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Slo;

/// <summary>Validates one batch of SLO events against the SLOs its service defines (shared by the API layer and the grain).</summary>
public static class SloEventValidation
{
    /// <summary>Most events one batch may count: keeps a year of per-minute sums far from 64-bit overflow.</summary>
    public const long MaxEventsPerBatch = 1_000_000_000_000;

    /// <summary>
    /// Throws <see cref="InputException"/> naming the field and the reason. <paramref name="windows"/> are the service's
    /// SLOs with the event times each accepts (<see cref="IServiceGrain.GetEventWindowsAsync"/>); empty when it has none.
    /// Returns the event time to count (<paramref name="now"/> when <see cref="SloEventsInput.At"/> is absent).
    /// </summary>
    public static DateTimeOffset Validate(SloEventsInput input, IReadOnlyList<SloEventWindow> windows, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(windows);
        DeploymentValidation.Text("service", input.Service);
        DeploymentValidation.Text("slo", input.Slo);
        if (input.BatchId is not null)
        {
            DeploymentValidation.Text("batchId", input.BatchId, InputLimits.MaxIdLength);
        }

        if (windows.Count == 0)
        {
            throw new InputException("service", $"service '{input.Service}' has no SLOs; apply its OpenSLO definition first (POST /v1/slos)");
        }

        var window = windows.FirstOrDefault(w => w.Slo == input.Slo)
            ?? throw new InputException("slo", $"service '{input.Service}' has no SLO '{input.Slo}'");
        if (input.Good < 0)
        {
            throw new InputException("good", $"must not be negative, got {input.Good}");
        }

        if (input.Total < 0)
        {
            throw new InputException("total", $"must not be negative, got {input.Total}");
        }

        if (input.Good > input.Total)
        {
            throw new InputException("good", $"must not exceed total ({input.Good} > {input.Total})");
        }

        if (input.Total > MaxEventsPerBatch)
        {
            throw new InputException("total", $"at most {MaxEventsPerBatch} events per batch, got {input.Total}");
        }

        var at = input.At ?? now;
        if (at > window.NewestAccepted)
        {
            throw new InputException("at", $"{at:O} is in the future (now {now:O}; at most {window.NewestAccepted:O} is accepted)");
        }

        if (at < window.OldestAccepted)
        {
            throw new InputException("at",
                $"{at:O} is too old for SLO '{input.Slo}': events before {window.OldestAccepted:O} fall outside every window it keeps");
        }

        return at;
    }
}
