using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Deployments;
using Verification.Api.Http;

namespace Verification.Api.Export;

/// <summary>
/// <c>GET /v1/export/{table}</c>: history for analysts as an Arrow IPC stream (<c>Accept: application/vnd.apache.arrow.stream</c>,
/// the default) or JSON lines (<c>Accept: application/x-ndjson</c>), filtered by <c>service</c>, <c>from</c>, <c>to</c>.
/// Tables: <c>deployments</c>, <c>verdicts</c> (one row per metric of each deployment's current verdict), <c>delivery</c>
/// (weekly DORA rows per service), <c>samples</c> (one row per stored sample batch, <c>from</c>/<c>to</c> on the batch's time)
/// and <c>slo-events</c> (one row per service, SLO and minute held). Column lists: README, "Arrow export".
/// </summary>
public static class ExportEndpoints
{
    /// <summary>Weeks of the delivery table when <c>from</c> is not given.</summary>
    public const int DefaultDeliveryWeeks = 12;

    /// <summary>Rows read per grain call: stored batches of a deployment's journal, minutes of a service's SLOs.</summary>
    public const int GrainPage = 1000;

    private static readonly string[] Tables = ["deployments", "verdicts", "delivery", "samples", "slo-events"];

    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWithProblems().MapGet("/v1/export/{table}", Export).RequireScope(Scopes.Read);
        return endpoints;
    }

    private static IResult Export(string table, HttpRequest request, IDeploymentDirectory deployments, DeliveryService delivery, IGrainFactory grains,
        IServiceDirectory services, TimeProvider time)
    {
        var arrow = Negotiate(request);
        if (arrow is null)
        {
            return Results.Problem($"Accept {ExportWriter.ArrowStream} or {ExportWriter.Ndjson}.",
                statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable");
        }

        var filter = Filter(request);
        if (filter.Service is { } service)
        {
            // Refused before the stream starts; without a service, rows of services outside the token's list are left out.
            CallerContext.Current.DemandService(service);
        }

        return table switch
        {
            "deployments" => Write(DeploymentsTable(deployments), filter, arrow.Value),
            "verdicts" => Write(VerdictsTable(deployments), filter, arrow.Value),
            "delivery" => Write(DeliveryTable(deployments, delivery, time), filter, arrow.Value),
            "samples" => Write(SamplesTable(deployments, grains), filter, arrow.Value),
            "slo-events" => Write(SloEventsTable(services, grains), filter, arrow.Value),
            _ => throw new NotFoundException($"No export table '{table}': the tables are {string.Join(", ", Tables)}."),
        };
    }

    private static IResult Write<T>(ExportTable<T> table, ExportFilter filter, bool arrow) =>
        arrow ? ExportWriter.Arrow(table, filter) : ExportWriter.JsonLines(table, filter);

    /// <summary>True for Arrow, false for JSON lines, null when the client accepts neither.</summary>
    private static bool? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return true;
        }

        foreach (var type in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (type.MediaType.Equals(ExportWriter.ArrowStream, StringComparison.OrdinalIgnoreCase) || type.MatchesAllTypes)
            {
                return true;
            }

            if (type.MediaType.Equals(ExportWriter.Ndjson, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return null;
    }

    private static ExportFilter Filter(HttpRequest request)
    {
        string? service = request.Query["service"];
        if (service is not null)
        {
            DeploymentValidation.Text("service", service);
        }

        var from = DeliveryEndpoints.Time(request.Query, "from");
        var to = DeliveryEndpoints.Time(request.Query, "to");
        return from is not null && to is not null && to <= from
            ? throw new InputException("to", $"must be after from ({to:O} <= {from:O})")
            : new ExportFilter(service, from, to);
    }

    private static string Upper<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    /// <summary>Deployments of the filter's service started in [from, to).</summary>
    private static async IAsyncEnumerable<Deployment> StartedAsync(IDeploymentDirectory deployments, ExportFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deployment in AccessibleAsync(deployments, filter, cancellationToken).ConfigureAwait(false))
        {
            if (filter.Contains(deployment.StartedAt))
            {
                yield return deployment;
            }
        }
    }

    /// <summary>Deployments of the filter's service (any, without one) that the caller may read, whenever started.</summary>
    private static async IAsyncEnumerable<Deployment> AccessibleAsync(IDeploymentDirectory deployments, ExportFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deployment in deployments.ListAllAsync(new DeploymentFilter(Service: filter.Service), cancellationToken).ConfigureAwait(false))
        {
            if (CallerContext.Current.MayAccess(deployment.Service))
            {
                yield return deployment;
            }
        }
    }

    internal static ExportTable<(Deployment Deployment, StoredSampleBatch Batch)> SamplesTable(IDeploymentDirectory deployments, IGrainFactory grains) =>
        new("samples",
        [
            new("deploymentId", ColumnType.String, false, r => r.Deployment.Id),
            new("service", ColumnType.String, false, r => r.Deployment.Service),
            new("sequence", ColumnType.Int64, false, r => r.Batch.Sequence),
            new("batchId", ColumnType.String, true, r => r.Batch.BatchId),
            new("metric", ColumnType.String, false, r => r.Batch.Metric),
            new("kind", ColumnType.String, false, r => Upper(r.Deployment.Metrics.First(m => m.Name == r.Batch.Metric).Kind)),
            new("cohort", ColumnType.String, false, r => Upper(r.Batch.Cohort)),
            new("at", ColumnType.Timestamp, false, r => r.Batch.At),
            new("count", ColumnType.Int64, true, r => r.Batch.Count),
            new("total", ColumnType.Int64, true, r => r.Batch.Total),
            new("observations", ColumnType.Int64, false, r => r.Batch.Observations),
            new("sum", ColumnType.Double, true, r => r.Batch.Sum),
            new("min", ColumnType.Double, true, r => r.Batch.Min),
            new("max", ColumnType.Double, true, r => r.Batch.Max),
        ], (filter, ct) => BatchesAsync(deployments, grains, filter, ct));

    /// <summary>
    /// The stored batches of each deployment the caller may read, in deployment id then journal order, read
    /// <see cref="GrainPage"/> batches per grain call; only batches whose time is in [from, to).
    /// </summary>
    private static async IAsyncEnumerable<(Deployment, StoredSampleBatch)> BatchesAsync(IDeploymentDirectory deployments, IGrainFactory grains,
        ExportFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deployment in AccessibleAsync(deployments, filter, cancellationToken).ConfigureAwait(false))
        {
            var grain = grains.GetGrain<IDeploymentGrain>(deployment.Id);
            long? after = 0;
            while (after is { } sequence)
            {
                var page = await grain.ReadSamplesAsync(sequence, GrainPage, cancellationToken).ConfigureAwait(false);
                foreach (var batch in page.Batches)
                {
                    if (filter.Contains(batch.At))
                    {
                        yield return (deployment, batch);
                    }
                }

                after = page.Next;
            }
        }
    }

    internal static ExportTable<Deployment> DeploymentsTable(IDeploymentDirectory deployments) => new("deployments",
    [
        new("id", ColumnType.String, false, d => d.Id),
        new("service", ColumnType.String, false, d => d.Service),
        new("team", ColumnType.String, true, d => d.Team),
        new("version", ColumnType.String, false, d => d.Version),
        new("environment", ColumnType.String, false, d => d.Environment),
        new("status", ColumnType.String, false, d => Upper(d.Status)),
        new("decision", ColumnType.String, false, d => Upper(d.Verdict.Decision)),
        new("reason", ColumnType.String, false, d => d.Verdict.Reason),
        new("score", ColumnType.Double, true, d => d.Verdict.Score),
        new("decidedAt", ColumnType.Timestamp, true, d => d.Verdict.DecidedAt),
        new("startedAt", ColumnType.Timestamp, false, d => d.StartedAt),
        new("finishedAt", ColumnType.Timestamp, true, d => d.FinishedAt),
        new("commitSha", ColumnType.String, true, d => d.CommitSha),
        new("commitTime", ColumnType.Timestamp, true, d => d.CommitTime),
        new("unplanned", ColumnType.Boolean, false, d => d.Unplanned),
    ], (filter, ct) => StartedAsync(deployments, filter, ct));

    internal static ExportTable<(Deployment Deployment, MetricJudgement Metric)> VerdictsTable(IDeploymentDirectory deployments) => new("verdicts",
    [
        new("deploymentId", ColumnType.String, false, r => r.Deployment.Id),
        new("service", ColumnType.String, false, r => r.Deployment.Service),
        new("decision", ColumnType.String, false, r => Upper(r.Deployment.Verdict.Decision)),
        new("decidedAt", ColumnType.Timestamp, true, r => r.Deployment.Verdict.DecidedAt),
        new("metric", ColumnType.String, false, r => r.Metric.Metric),
        new("classification", ColumnType.String, false, r => Upper(r.Metric.Classification)),
        new("critical", ColumnType.Boolean, false, r => r.Metric.Critical),
        new("pValue", ColumnType.Double, true, r => r.Metric.PValue),
        new("effect", ColumnType.Double, true, r => r.Metric.Effect),
        new("ciLow", ColumnType.Double, true, r => r.Metric.CiLow),
        new("ciHigh", ColumnType.Double, true, r => r.Metric.CiHigh),
        new("baselineCount", ColumnType.Int64, false, r => r.Metric.BaselineCount),
        new("canaryCount", ColumnType.Int64, false, r => r.Metric.CanaryCount),
    ], (filter, ct) => JudgementsAsync(deployments, filter, ct));

    private static async IAsyncEnumerable<(Deployment, MetricJudgement)> JudgementsAsync(IDeploymentDirectory deployments, ExportFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deployment in StartedAsync(deployments, filter, cancellationToken).ConfigureAwait(false))
        {
            foreach (var metric in deployment.Verdict.Metrics)
            {
                yield return (deployment, metric);
            }
        }
    }

    internal static ExportTable<(string Service, SloMinute Minute)> SloEventsTable(IServiceDirectory services, IGrainFactory grains) =>
        new("slo-events",
        [
            new("service", ColumnType.String, false, r => r.Service),
            new("slo", ColumnType.String, false, r => r.Minute.Slo),
            new("minute", ColumnType.Timestamp, false, r => r.Minute.Minute),
            new("good", ColumnType.Int64, false, r => r.Minute.Good),
            new("total", ColumnType.Int64, false, r => r.Minute.Total),
        ], (filter, ct) => MinutesAsync(services, grains, filter, ct));

    /// <summary>
    /// The minutes each service grain holds (of the filter's service, or of every service the caller may read), read
    /// <see cref="GrainPage"/> minutes per grain call; only minutes starting in [from, to).
    /// </summary>
    private static async IAsyncEnumerable<(string, SloMinute)> MinutesAsync(IServiceDirectory services, IGrainFactory grains, ExportFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names = filter.Service is { } only ? [only] : await services.ListServicesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var service in names.Where(CallerContext.Current.MayAccess))
        {
            var grain = grains.GetGrain<IServiceGrain>(service);
            (string? Slo, DateTimeOffset Minute) after = (null, DateTimeOffset.MinValue);
            SloMinutePage page;
            do
            {
                page = await grain.ReadMinutesAsync(after.Slo, after.Minute, GrainPage, cancellationToken).ConfigureAwait(false);
                foreach (var minute in page.Minutes)
                {
                    if (filter.Contains(minute.Minute))
                    {
                        yield return (service, minute);
                    }

                    after = (minute.Slo, minute.Minute);
                }
            }
            while (page.More);
        }
    }

    internal static ExportTable<(string Service, DeliveryWeek Week)> DeliveryTable(IDeploymentDirectory deployments, DeliveryService delivery, TimeProvider time) =>
        new("delivery",
        [
            new("service", ColumnType.String, false, r => r.Service),
            new("isoYear", ColumnType.Int64, false, r => (long)r.Week.IsoYear),
            new("isoWeek", ColumnType.Int64, false, r => (long)r.Week.IsoWeek),
            new("from", ColumnType.Timestamp, false, r => r.Week.Metrics.From),
            new("to", ColumnType.Timestamp, false, r => r.Week.Metrics.To),
            new("deployments", ColumnType.Int64, false, r => (long)r.Week.Metrics.Deployments),
            new("deploymentFrequencyPerDay", ColumnType.Double, false, r => r.Week.Metrics.DeploymentFrequencyPerDay),
            new("leadTimeHours", ColumnType.Double, true, r => r.Week.Metrics.LeadTimeHours),
            new("leadTimeP90Hours", ColumnType.Double, true, r => r.Week.Metrics.LeadTimeP90Hours),
            new("changeFailureRate", ColumnType.Double, true, r => r.Week.Metrics.ChangeFailureRate),
            new("recoveryTimeHours", ColumnType.Double, true, r => r.Week.Metrics.RecoveryTimeHours),
            new("reworkRate", ColumnType.Double, true, r => r.Week.Metrics.ReworkRate),
            new("performance", ColumnType.String, true, r => r.Week.Metrics.Performance is { } p ? Upper(p) : null),
        ], (filter, ct) => WeeksAsync(deployments, delivery, time, filter, ct));

    /// <summary>Weekly rows of each service (or the filter's) over [from, to), by default the last 12 weeks up to now.</summary>
    private static async IAsyncEnumerable<(string, DeliveryWeek)> WeeksAsync(IDeploymentDirectory deployments, DeliveryService delivery,
        TimeProvider time, ExportFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var to = filter.To ?? time.GetUtcNow();
        var from = filter.From ?? to.AddDays(-7 * DefaultDeliveryWeeks);
        var services = new SortedSet<string>(StringComparer.Ordinal);
        if (filter.Service is { } only)
        {
            services.Add(only);
        }
        else
        {
            await foreach (var deployment in deployments.ListAllAsync(new DeploymentFilter(), cancellationToken).ConfigureAwait(false))
            {
                if (CallerContext.Current.MayAccess(deployment.Service))
                {
                    services.Add(deployment.Service);
                }
            }
        }

        foreach (var service in services)
        {
            foreach (var week in await delivery.WeeklyAsync(service, null, from, to, cancellationToken).ConfigureAwait(false))
            {
                yield return (service, week);
            }
        }
    }
}
