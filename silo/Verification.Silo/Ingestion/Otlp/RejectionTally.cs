using System.Globalization;
using System.Text;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Why a data point (OTLP) or sample (remote write) was not turned into samples.</summary>
internal enum RejectReason
{
    /// <summary>No <c>deployment.id</c> attribute on the resource or the data point.</summary>
    MissingDeployment,
    /// <summary>The deployment id is not registered.</summary>
    UnknownDeployment,
    /// <summary>No <c>deployment.cohort</c>, or not <c>baseline</c>/<c>canary</c>.</summary>
    MissingCohort,
    /// <summary>No metric of the deployment takes this telemetry name.</summary>
    UnknownMetric,
    /// <summary>The metric takes this name but not this instrument type (e.g. a gauge for a ratio count).</summary>
    UnsupportedType,
    /// <summary>Not a usable value: NaN, infinite, negative delta count, inconsistent histogram, zero timestamp.</summary>
    BadValue,
    /// <summary>The converter already tracks its maximum number of cumulative series.</summary>
    TooManySeries,
    /// <summary>The request already produced its maximum number of CONTINUOUS values.</summary>
    TooManyObservations,
    /// <summary>The deployment was completed (promoted, rolled back or aborted): its verdict no longer changes.</summary>
    FinishedDeployment,
}

/// <summary>Counts rejected data points per reason, keeping the first example of each for the message.</summary>
internal sealed class RejectionTally
{
    private const int MaxExampleLength = 120;
    private readonly SortedDictionary<RejectReason, (long Count, string Example)> _byReason = [];

    public long Total { get; private set; }

    public IReadOnlyDictionary<RejectReason, long> Counts => _byReason.ToDictionary(p => p.Key, p => p.Value.Count);

    public void Add(RejectReason reason, string example, long points = 1)
    {
        if (points <= 0)
        {
            return;
        }

        Total += points;
        _byReason[reason] = _byReason.TryGetValue(reason, out var seen)
            ? (seen.Count + points, seen.Example)
            : (points, example.Length > MaxExampleLength ? example[..MaxExampleLength] : example);
    }

    /// <summary>One line for <c>ExportMetricsPartialSuccess.error_message</c>, or null when nothing was rejected.</summary>
    public string? Message()
    {
        if (Total == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Total} data point(s) rejected: ");
        text.AppendJoin("; ", _byReason.Select(p => string.Create(
            CultureInfo.InvariantCulture, $"{p.Value.Count} {Describe(p.Key)} (e.g. {p.Value.Example})")));
        return text.ToString();
    }

    private static string Describe(RejectReason reason) => reason switch
    {
        RejectReason.MissingDeployment => "without deployment.id",
        RejectReason.UnknownDeployment => "for an unknown deployment",
        RejectReason.MissingCohort => "without deployment.cohort baseline|canary",
        RejectReason.UnknownMetric => "for no registered metric",
        RejectReason.UnsupportedType => "of an instrument type the metric cannot use",
        RejectReason.BadValue => "with a bad value",
        RejectReason.TooManySeries => "over the series limit",
        RejectReason.TooManyObservations => "over the observations limit of one request",
        RejectReason.FinishedDeployment => "for a deployment already completed (its verdict no longer changes)",
        _ => reason.ToString(),
    };
}
