using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>The plain HTTP surface of API.md for deployments and bulk ingestion.</summary>
public static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/deployments", RegisterAsync);
        endpoints.MapGet("/v1/deployments/{id}", GetAsync);
        endpoints.MapPost("/v1/deployments/{id}/complete", CompleteAsync);
        endpoints.MapPost("/v1/samples", RecordSamplesAsync);
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            var input = await ReadJsonAsync<RegisterDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
            DeploymentValidation.Identifier("id", input.Id);
            var result = await grains.GetGrain<IDeploymentGrain>(input.Id).RegisterAsync(input, cancellationToken).ConfigureAwait(false);
            return Results.Json(result.Deployment, ContractJson.Options,
                statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }
        catch (Exception e) when (Problems.IsClientError(e))
        {
            return Problems.From(e);
        }
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            DeploymentValidation.Identifier("id", id);
            var deployment = await grains.GetGrain<IDeploymentGrain>(id).GetAsync(cancellationToken).ConfigureAwait(false);
            return deployment is null
                ? Problems.From(new NotFoundException($"Deployment '{id}' is not registered."))
                : Results.Json(deployment, ContractJson.Options);
        }
        catch (Exception e) when (Problems.IsClientError(e))
        {
            return Problems.From(e);
        }
    }

    private static async Task<IResult> CompleteAsync(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        try
        {
            DeploymentValidation.Identifier("id", id);
            var body = await ReadJsonAsync<CompleteDeploymentInput>(request, cancellationToken).ConfigureAwait(false);
            var deployment = await grains.GetGrain<IDeploymentGrain>(id).CompleteAsync(body.Status, cancellationToken).ConfigureAwait(false);
            return Results.Json(deployment, ContractJson.Options);
        }
        catch (Exception e) when (Problems.IsClientError(e))
        {
            return Problems.From(e);
        }
    }

    private static Task<IResult> RecordSamplesAsync(HttpRequest request, SampleIngestion ingestion, CancellationToken cancellationToken) =>
        RequestContent.IngestNdjsonAsync<SamplesInput, IngestionResult>(
            request, ingestion.RecordAsync, r => new BulkIngestionResponse(r.Accepted, r.Duplicates, r.Values), cancellationToken);

    private static Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class => RequestContent.ReadJsonAsync<T>(request, cancellationToken);
}

/// <summary>Body of <c>POST /v1/deployments/{id}/complete</c>.</summary>
public sealed record CompleteDeploymentInput(DeploymentStatus Status);

/// <summary>Answer of <c>POST /v1/samples</c>: batches stored, batches skipped as already known, values stored.</summary>
public sealed record BulkIngestionResponse(int Accepted, int Duplicates, long Values);
