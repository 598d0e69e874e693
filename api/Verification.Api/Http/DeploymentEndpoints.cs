using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>The plain HTTP surface of docs/API.md for deployments and bulk ingestion.</summary>
public static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/deployments", RegisterAsync);
        routes.MapGet("/v1/deployments/{id}", GetAsync);
        routes.MapPost("/v1/deployments/{id}/complete", CompleteAsync);
        routes.MapPost("/v1/samples", RecordSamplesAsync);

        // The CD-tool surface (API.md v1.1) is mapped with the deployments it reads, so the composition root stays as it is.
        endpoints.MapVerdictEndpoints();
        endpoints.MapFlaggerEndpoints();
        endpoints.MapTemplateEndpoints();
        endpoints.MapWebhookEndpoints();
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var input = await RequestContent.ReadJsonAsync<RegisterDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
        DeploymentValidation.Identifier("id", input.Id);
        var result = await grains.GetGrain<IDeploymentGrain>(input.Id).RegisterAsync(input, cancellationToken).ConfigureAwait(false);
        return Results.Json(result.Deployment, ContractJson.Options,
            statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        var deployment = await grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken).ConfigureAwait(false);
        return deployment is null
            ? Problems.From(new NotFoundException($"Deployment '{id}' is not registered."))
            : Results.Json(deployment, ContractJson.Options);
    }

    private static async Task<IResult> CompleteAsync(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        var body = await RequestContent.ReadJsonAsync<CompleteDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
        var deployment = await grains.GetGrain<IDeploymentGrain>(id).CompleteAsync(body.Status, cancellationToken).ConfigureAwait(false);
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
