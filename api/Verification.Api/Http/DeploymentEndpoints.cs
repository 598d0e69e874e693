using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>The plain HTTP surface of docs/API.md for deployments and bulk ingestion.</summary>
public static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/deployments", RegisterAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/deployments/{id}", GetAsync).RequireScope(Scopes.Read);
        routes.MapPost("/v1/deployments/{id}/complete", CompleteAsync).RequireScope(Scopes.Decide);
        routes.MapPost("/v1/samples", RecordSamplesAsync).RequireScope(Scopes.Ingest);

        // The CD-tool surface (API.md v1.1) is mapped with the deployments it reads, so the composition root stays as it is.
        endpoints.MapVerdictEndpoints();
        endpoints.MapFlaggerEndpoints();
        endpoints.MapTemplateEndpoints();
        endpoints.MapWebhookEndpoints();
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, DeploymentCommands deployments, CancellationToken cancellationToken)
    {
        var input = await RequestContent.ReadJsonAsync<RegisterDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
        var result = await deployments.RegisterAsync(input, cancellationToken).ConfigureAwait(false);
        return Results.Json(result.Deployment, ContractJson.Options,
            statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> GetAsync(string id, DeploymentCommands deployments, CancellationToken cancellationToken)
    {
        var deployment = await deployments.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return deployment is null
            ? Problems.From(new NotFoundException($"Deployment '{id}' is not registered."))
            : Results.Json(deployment, ContractJson.Options);
    }

    private static async Task<IResult> CompleteAsync(string id, HttpRequest request, DeploymentCommands deployments, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        var body = await RequestContent.ReadJsonAsync<CompleteDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
        var deployment = await deployments.CompleteAsync(id, body.Status, cancellationToken).ConfigureAwait(false);
        return Results.Json(deployment, ContractJson.Options);
    }

    private static Task<IResult> RecordSamplesAsync(HttpRequest request, SampleIngestion ingestion, CancellationToken cancellationToken) =>
        RequestContent.IngestNdjsonAsync<SamplesInput, IngestionResult>(
            request, ingestion.RecordAsync, r => new BulkIngestionResponse(r.Accepted, r.Duplicates, r.Values), cancellationToken);
}

/// <summary>Body of <c>POST /v1/deployments/{id}/complete</c>.</summary>
public sealed record CompleteDeploymentInput(DeploymentStatus Status);

/// <summary>Answer of <c>POST /v1/samples</c>: batches stored, batches skipped as already known, values stored.</summary>
public sealed record BulkIngestionResponse(int Accepted, int Duplicates, long Values);
