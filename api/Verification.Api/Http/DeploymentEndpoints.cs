using System.Text.Json;
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

    private static async Task<IResult> RecordSamplesAsync(HttpRequest request, SampleIngestion ingestion, CancellationToken cancellationToken)
    {
        if (!IsNdjson(request.ContentType))
        {
            return Results.Problem($"Send NDJSON ('application/x-ndjson'), one SamplesInput per line; got '{request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        List<SamplesInput> batches;
        List<int> lines;
        try
        {
            using var body = await RequestBodies.ReadAsync(request, InputLimits.MaxSamplesBodyBytes, cancellationToken).ConfigureAwait(false);
            (batches, lines) = NdjsonSamples.Parse(body.Span);
        }
        catch (NdjsonLineException e)
        {
            return Problems.BadInput(e.Field, e.Reason, e.Line);
        }
        catch (Exception e) when (Problems.IsClientError(e))
        {
            return Problems.From(e);
        }

        if (batches.Count == 0)
        {
            return Problems.BadInput("body", "no samples: send one SamplesInput JSON object per line");
        }

        try
        {
            var result = await ingestion.RecordAsync(batches, cancellationToken).ConfigureAwait(false);
            return Results.Json(new BulkIngestionResponse(result.Accepted, result.Duplicates, result.Values), ContractJson.Options);
        }
        catch (BatchInputException e)
        {
            return Problems.BadInput(e.Input.Field, e.Input.Reason, lines[e.Index]);
        }
        catch (Exception e) when (Problems.IsClientError(e))
        {
            return Problems.From(e);
        }
    }

    private static bool IsNdjson(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        return mediaType is not null && (mediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/jsonl", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/ndjson", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType?.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw new InputException("Content-Type", $"send 'application/json', got '{request.ContentType}'");
        }

        using var body = await RequestBodies.ReadAsync(request, InputLimits.MaxJsonBodyBytes, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(body.Span, ContractJson.Options)
            ?? throw new InputException("body", "must be a JSON object, not null");
    }
}

/// <summary>Body of <c>POST /v1/deployments/{id}/complete</c>.</summary>
public sealed record CompleteDeploymentInput(DeploymentStatus Status);

/// <summary>Answer of <c>POST /v1/samples</c>: batches stored, batches skipped as already known, values stored.</summary>
public sealed record BulkIngestionResponse(int Accepted, int Duplicates, long Values);
