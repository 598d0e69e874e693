using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Slo;

namespace Verification.Api.Http;

/// <summary>The plain HTTP surface for SLOs: OpenSLO definitions, bulk SLO events, services and their release policy.</summary>
public static class SloEndpoints
{
    public static IEndpointRouteBuilder MapSloEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/slos", ApplyAsync).RequireScope(Scopes.Decide);
        routes.MapPost("/v1/slo-events", RecordEventsAsync).RequireScope(Scopes.Ingest);
        routes.MapGet("/v1/services", ListAsync).RequireScope(Scopes.Read);
        routes.MapGet("/v1/services/{name}", GetAsync).RequireScope(Scopes.Read);
        routes.MapPut("/v1/services/{name}/policy", SetPolicyAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/services/{name}/prometheus-rules", RulesAsync).RequireScope(Scopes.Read);
        return endpoints;
    }

    private static async Task<IResult> ApplyAsync(HttpRequest request, SloService slos, CancellationToken cancellationToken)
    {
        if (!RequestContent.HasMediaType(request, "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"))
        {
            return Results.Problem($"Send OpenSLO v1 YAML ('application/yaml'); got '{request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        // UTF-8 takes at most 4 bytes a character; the parser checks the character limit itself.
        using var body = await RequestBodies.ReadAsync(request, 4L * OpenSloParser.MaxInputLength, cancellationToken).ConfigureAwait(false);
        string yaml;
        try
        {
            yaml = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Span);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException("yaml", "is not valid UTF-8");
        }

        var applied = await slos.ApplyAsync(yaml, cancellationToken).ConfigureAwait(false);
        return Results.Json(applied, ContractJson.Options);
    }

    private static Task<IResult> RecordEventsAsync(HttpRequest request, SloService slos, CancellationToken cancellationToken) =>
        RequestContent.IngestNdjsonAsync<SloEventsInput, SloEventsResult>(request, slos.RecordBulkAsync, r => r, cancellationToken);

    private static async Task<IResult> ListAsync(SloService slos, CancellationToken cancellationToken) =>
        Results.Json(await slos.ListServicesAsync(cancellationToken).ConfigureAwait(false), ContractJson.Options);

    private static async Task<IResult> GetAsync(string name, SloService slos, CancellationToken cancellationToken)
    {
        var service = await slos.GetServiceAsync(name, cancellationToken).ConfigureAwait(false);
        return service is null
            ? Problems.From(new NotFoundException($"Service '{name}' has no SLOs, policy or incidents."))
            : Results.Json(service, ContractJson.Options);
    }

    private static async Task<IResult> RulesAsync(string name, string? team, SloService slos, CancellationToken cancellationToken) =>
        Results.Text(await slos.GetPrometheusRulesAsync(name, team, cancellationToken).ConfigureAwait(false), "application/yaml; charset=utf-8");

    private static async Task<IResult> SetPolicyAsync(string name, HttpRequest request, SloService slos, CancellationToken cancellationToken)
    {
        var policy = await RequestContent.ReadJsonAsync<ReleasePolicy>(request, cancellationToken).ConfigureAwait(false);
        return Results.Json(await slos.SetPolicyAsync(name, policy, cancellationToken).ConfigureAwait(false), ContractJson.Options);
    }
}
