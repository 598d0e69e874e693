using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans.Runtime;
using Orleans.Storage;
using Verification.Api.Contracts;

namespace Verification.Api.Http;

/// <summary>Maps failures to RFC 9457 problem bodies: a bad input never becomes a 500.</summary>
internal static class Problems
{
    public static IResult BadInput(string field, string reason, int? line = null)
    {
        var extensions = new Dictionary<string, object?> { ["field"] = field };
        if (line is not null)
        {
            extensions["line"] = line;
        }

        var detail = line is null ? $"{field}: {reason}" : $"line {line}: {field}: {reason}";
        return Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad input", extensions: extensions);
    }

    /// <summary>409 with <c>field</c> when the conflict concerns one input field, and <c>line</c> for NDJSON.</summary>
    public static IResult Conflict(ConflictException e, int? line = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (e.Field is not null)
        {
            extensions["field"] = e.Field;
        }

        if (line is not null)
        {
            extensions["line"] = line;
        }

        return Results.Problem(line is null ? e.Message : $"line {line}: {e.Message}", statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: extensions);
    }

    /// <summary>An OpenSLO input's errors, each with its field path; <c>field</c> names the first.</summary>
    public static IResult SloDefinitionErrors(SloDefinitionException e)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["field"] = e.Errors.Count > 0 ? e.Errors[0].Path : "yaml",
            ["errors"] = e.Errors.Select(x => new { path = x.Path, message = x.Message }).ToList(),
        };
        return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Bad input", extensions: extensions);
    }

    public static IResult From(Exception exception) => exception switch
    {
        InputException e => BadInput(e.Field, e.Reason),
        SloDefinitionException e => SloDefinitionErrors(e),
        ConflictException e => Conflict(e),
        NotFoundException e => Results.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        ForbiddenException e => Results.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            extensions: new Dictionary<string, object?> { ["code"] = Access.AccessMiddleware.Forbidden }),
        JsonException e => BadInput(JsonField(e), JsonReason(e)),
        PayloadTooLargeException e => Results.Problem(e.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large"),
        BadHttpRequestException e => Results.Problem(e.Message, statusCode: e.StatusCode, title: "Bad request"),
        _ => throw new InvalidOperationException("Unexpected failure", exception),
    };

    /// <summary>
    /// The routes of <paramref name="endpoints"/> under one filter that answers every client error (<see cref="IsClientError"/>)
    /// with its problem body, so that handlers just throw.
    /// </summary>
    public static RouteGroupBuilder MapWithProblems(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Exception e) when (IsClientError(e))
            {
                return From(e);
            }
            catch (Exception e) when (IsUnavailable(e))
            {
                return Unavailable(e);
            }
        });

    /// <summary>Seconds a client is told to wait (Retry-After) when a call was caught by a silo's death.</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>
    /// True for the failures of a grain call that a retry resolves: the call was caught by a silo's death or shutdown (the
    /// message was rejected, or it went unanswered), or its write lost an ETag race to another activation of the same
    /// grain (<see cref="InconsistentStateException"/>, possible while the cluster's membership changes; Orleans drops the
    /// losing activation and does not retry). Nothing is half-stored: a write is committed before it is acknowledged, and
    /// a retried batch is recognised by its batchId.
    /// </summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is OrleansMessageRejectionException or TimeoutException or InconsistentStateException;

    /// <summary>What a client is told about a retryable failure (<see cref="IsUnavailable"/>): HTTP detail and GraphQL message.</summary>
    public static string UnavailableMessage(Exception exception) => exception is InconsistentStateException
        ? $"Another write to this data won a concurrent update (the stored version changed); retry after {RetryAfterSeconds} s."
        : $"The silo that holds this data is unavailable ({exception.GetType().Name}); retry after {RetryAfterSeconds} s.";

    /// <summary>503 with Retry-After and a problem body.</summary>
    public static IResult Unavailable(Exception exception) => new RetryAfter(Results.Problem(
        UnavailableMessage(exception), statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable"), RetryAfterSeconds);

    private sealed class RetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>True for the failures <see cref="From"/> turns into a 4xx answer.</summary>
    public static bool IsClientError(Exception exception) =>
        exception is InputException or SloDefinitionException or ConflictException or NotFoundException or JsonException or PayloadTooLargeException
            or BadHttpRequestException or ForbiddenException;

    /// <summary>The JSON path of a deserialization error, without the root marker ("$.metrics[0].kind" → "metrics[0].kind").</summary>
    public static string JsonField(JsonException e, string whole = "body") =>
        e.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : whole;

    /// <summary>
    /// System.Text.Json messages end with "Path: … | LineNumber: … | BytePositionInLine: …"; keep the sentence, and say
    /// what was expected instead of a .NET type name ("could not be converted to System.Int64" → "must be an integer").
    /// </summary>
    public static string JsonReason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        const string Conversion = "The JSON value could not be converted to ";
        if (!message.StartsWith(Conversion, StringComparison.Ordinal))
        {
            return message;
        }

        // For a constructor parameter the message names the record being built; the reader's own failure says what was
        // expected ("Cannot get the value of a token type 'String' as a boolean.").
        return e.InnerException switch
        {
            InvalidOperationException inner when inner.Message.EndsWith(" as a number.", StringComparison.Ordinal) => "must be a number",
            InvalidOperationException inner when inner.Message.EndsWith(" as a boolean.", StringComparison.Ordinal) => "must be true or false",
            InvalidOperationException inner when inner.Message.EndsWith(" as a string.", StringComparison.Ordinal) => "must be a string",
            FormatException inner when inner.Message.Contains("DateTime", StringComparison.Ordinal) => Expected("System.DateTimeOffset"),
            _ => Expected(message[Conversion.Length..].TrimEnd('.')),
        };
    }

    private static string Expected(string type)
    {
        var name = type.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? type[18..].TrimEnd(']').Split(',')[0] : type;
        return name switch
        {
            "System.Int32" or "System.Int64" => "must be an integer",
            "System.Double" or "System.Single" or "System.Decimal" => "must be a number",
            "System.String" => "must be a string",
            "System.Boolean" => "must be true or false",
            "System.DateTimeOffset" or "System.DateTime" => "must be an ISO-8601 time, e.g. 2026-11-20T08:00:00Z",
            _ when name.StartsWith("System.Collections.Generic.", StringComparison.Ordinal) || name.EndsWith("[]", StringComparison.Ordinal) => "must be an array",
            _ => "has the wrong type",
        };
    }
}

/// <summary>The request body exceeds its limit.</summary>
internal sealed class PayloadTooLargeException(string message) : Exception(message);
