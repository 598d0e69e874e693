using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;

namespace Verification.Api.Http;

/// <summary>The plain HTTP surface for incidents and DORA delivery metrics.</summary>
public static class DeliveryEndpoints
{
    public static IEndpointRouteBuilder MapDeliveryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/incidents", OpenAsync).RequireScope(Scopes.Decide);
        routes.MapPost("/v1/incidents/{id}/resolve", ResolveAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/delivery", DeliveryAsync).RequireScope(Scopes.Read);
        endpoints.MapPipelineEndpoints();
        routes.MapGet("/v1/services/{name}/recent-deployments", RecentDeploymentsAsync).RequireScope(Scopes.Read);
        return endpoints;
    }

    private static async Task<IResult> OpenAsync(HttpRequest request, IncidentService incidents, CancellationToken cancellationToken)
    {
        var input = await RequestContent.ReadJsonAsync<OpenIncidentInput>(request, cancellationToken).ConfigureAwait(false);
        var incident = await incidents.OpenAsync(input, cancellationToken).ConfigureAwait(false);
        return Results.Json(incident, ContractJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ResolveAsync(string id, HttpRequest request, IncidentService incidents, CancellationToken cancellationToken)
    {
        // The body is optional: without one the incident is resolved now, with no fixing deployment.
        var input = request.ContentLength is 0 || (request.ContentType is null && request.ContentLength is null)
            ? new ResolveIncidentInput()
            : await RequestContent.ReadJsonAsync<ResolveIncidentInput>(request, cancellationToken).ConfigureAwait(false);
        return Results.Json(await incidents.ResolveAsync(id, input, cancellationToken).ConfigureAwait(false), ContractJson.Options);
    }

    /// <summary>The on-call view: <c>?first=10</c> latest deployments of the service, each with the pages that followed it.</summary>
    private static async Task<IResult> RecentDeploymentsAsync(string name, HttpRequest request, OnCallService onCall, CancellationToken cancellationToken)
    {
        var recent = await onCall.RecentAsync(name, Integer(request.Query, "first") ?? OnCallService.DefaultFirst, cancellationToken).ConfigureAwait(false);
        var rows = new List<OnCallDeployment>(recent.Count);
        foreach (var deployment in recent)
        {
            rows.Add(new OnCallDeployment(deployment, await onCall.PagesAfterAsync(deployment, cancellationToken).ConfigureAwait(false)));
        }

        return Results.Json(rows, ContractJson.Options);
    }

    /// <summary><c>?service=&amp;team=&amp;days=30</c>, plus weekly rows with <c>&amp;weeks=N</c> or <c>&amp;from=…&amp;to=…</c> (ISO-8601).</summary>
    private static async Task<IResult> DeliveryAsync(HttpRequest request, DeliveryService delivery, CancellationToken cancellationToken)
    {
        var query = request.Query;
        string? service = query["service"];
        string? team = query["team"];
        var days = Integer(query, "days") ?? DeliveryService.DefaultDays;
        var metrics = await delivery.GetAsync(service, team, days, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DeliveryWeek> weeks = [];
        var from = Time(query, "from");
        var to = Time(query, "to");
        if (Integer(query, "weeks") is { } count)
        {
            weeks = await delivery.WeeklyAsync(service, team, count, cancellationToken).ConfigureAwait(false);
        }
        else if (from is not null || to is not null)
        {
            weeks = await delivery.WeeklyAsync(service, team,
                from ?? throw new InputException("from", "is required with to"),
                to ?? throw new InputException("to", "is required with from"),
                cancellationToken).ConfigureAwait(false);
        }

        return Results.Json(new DeliveryReport(metrics, weeks), ContractJson.Options);
    }

    private static int? Integer(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InputException(name, $"must be an integer, got '{text}'")
            : null;

    /// <summary>An optional ISO-8601 time of the query string; a bad one is an <see cref="InputException"/> on <paramref name="name"/>.</summary>
    internal static DateTimeOffset? Time(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } text
            ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
                ? value
                : throw new InputException(name, $"must be an ISO-8601 time, got '{text}'")
            : null;
}
