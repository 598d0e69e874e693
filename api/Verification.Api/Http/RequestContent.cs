using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>Reading request bodies the endpoints share: JSON contract objects, and NDJSON bulk ingestion.</summary>
internal static class RequestContent
{
    public static bool HasMediaType(HttpRequest request, params string[] mediaTypes)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim();
        return mediaType is not null && mediaTypes.Any(m => mediaType.Equals(m, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads a JSON body (≤ <see cref="InputLimits.MaxJsonBodyBytes"/>) as <typeparamref name="T"/>.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!HasMediaType(request, "application/json"))
        {
            throw new InputException("Content-Type", $"send 'application/json', got '{request.ContentType}'");
        }

        using var body = await RequestBodies.ReadAsync(request, InputLimits.MaxJsonBodyBytes, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize<T>(body.Span, ContractJson.Options)
            ?? throw new InputException("body", "must be a JSON object, not null");
    }

    /// <summary>
    /// Bulk ingestion over NDJSON (docs/API.md "Bulk ingestion"): 415 unless NDJSON, every line parsed, then
    /// <paramref name="record"/> (which validates every item before it stores any); a bad line is a 400 naming it.
    /// Other client errors (body too large, …) are answered by the routes' <see cref="Problems.MapWithProblems"/> filter.
    /// </summary>
    public static async Task<IResult> IngestNdjsonAsync<TInput, TResult>(
        HttpRequest request,
        Func<IReadOnlyList<TInput>, CancellationToken, Task<TResult>> record,
        Func<TResult, object> answer,
        CancellationToken cancellationToken)
        where TInput : class
    {
        if (!HasMediaType(request, "application/x-ndjson", "application/jsonl", "application/ndjson"))
        {
            return Results.Problem($"Send NDJSON ('application/x-ndjson'), one {typeof(TInput).Name} per line; got '{request.ContentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
        }

        List<TInput> items;
        List<int> lines;
        try
        {
            using var body = await RequestBodies.ReadAsync(request, InputLimits.MaxSamplesBodyBytes, cancellationToken).ConfigureAwait(false);
            (items, lines) = Ndjson.Parse<TInput>(body.Span);
        }
        catch (NdjsonLineException e)
        {
            return Problems.BadInput(e.Field, e.Reason, e.Line);
        }

        if (items.Count == 0)
        {
            return Problems.BadInput("body", $"nothing to record: send one {typeof(TInput).Name} JSON object per line");
        }

        try
        {
            var result = await record(items, cancellationToken).ConfigureAwait(false);
            return Results.Json(answer(result), ContractJson.Options);
        }
        catch (BatchInputException e)
        {
            return Problems.BadInput(e.Input.Field, e.Input.Reason, lines[e.Index]);
        }
        catch (BatchConflictException e)
        {
            return Problems.Conflict(e.Conflict, lines[e.Index]);
        }
    }
}
