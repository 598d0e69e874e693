using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Transport;

/// <summary>
/// GraphQL over HTTP (draft): POST with a JSON body, GET with query parameters (queries only: a mutation
/// over GET is 405 with Allow: POST), content negotiation between application/graphql-response+json
/// (request errors → 400) and application/json (→ 200), a body size limit, and WebSocket upgrade.
/// </summary>
internal sealed partial class GraphQLHttpHandler
{
    internal const string GraphQLResponseJson = "application/graphql-response+json";
    private const string Json = "application/json";

    private readonly GraphQLHttpOptions _options;
    private readonly GraphQLExecutor _executor;

    public GraphQLHttpHandler(Schema schema, GraphQLHttpOptions options, ILogger logger)
    {
        _options = options;
        var executorOptions = options.Executor;
        if (executorOptions.OnUnexpectedError is null)
        {
            // Resolver exceptions are hidden from clients; make sure operators still see them.
            executorOptions = executorOptions with { OnUnexpectedError = (error, exception) => LogResolverFailed(logger, error.Path, exception) };
        }

        _executor = new GraphQLExecutor(schema, executorOptions);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "GraphQL resolver failed at {Path}")]
    private static partial void LogResolverFailed(ILogger logger, IReadOnlyList<object>? path, Exception exception);

    public async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest && _options.EnableWebSockets)
        {
            await new GraphQLWebSocketSession(context, _executor, _options, Logger(context)).RunAsync().ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsPost(method))
        {
            context.Response.Headers.Allow = "GET, POST";
            await WriteRequestErrorAsync(context, StatusCodes.Status405MethodNotAllowed, Json, "GraphQL supports GET and POST.").ConfigureAwait(false);
            return;
        }

        var mediaType = NegotiateMediaType(context.Request);
        if (mediaType is null)
        {
            await WriteRequestErrorAsync(context, StatusCodes.Status406NotAcceptable, Json,
                $"Accept must allow {GraphQLResponseJson} or {Json}.").ConfigureAwait(false);
            return;
        }

        GraphQLRequest? request;
        string? error;
        int errorStatus;
        if (HttpMethods.IsGet(method))
        {
            (request, error) = ReadGet(context.Request);
            errorStatus = StatusCodes.Status400BadRequest;
        }
        else
        {
            (request, error, errorStatus) = await ReadPostAsync(context.Request).ConfigureAwait(false);
        }

        if (request is null)
        {
            await WriteRequestErrorAsync(context, errorStatus, mediaType, error!).ConfigureAwait(false);
            return;
        }

        var operationType = _executor.GetOperationType(request);
        if (HttpMethods.IsGet(method) && operationType is OperationType.Mutation)
        {
            context.Response.Headers.Allow = "POST";
            await WriteRequestErrorAsync(context, StatusCodes.Status405MethodNotAllowed, mediaType,
                "Mutations can only be executed over POST.").ConfigureAwait(false);
            return;
        }

        var requestContext = _options.ContextFactory is null
            ? new GraphQLRequestContext(context.RequestServices)
            : await _options.ContextFactory(context).ConfigureAwait(false);
        ExecutionResult result;
        try
        {
            result = await _executor.ExecuteAsync(request, requestContext, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        // graphql-response+json: a request error (no data) is a 4xx; application/json keeps the legacy 200.
        var status = !result.HasData && mediaType == GraphQLResponseJson ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
        await WriteResultAsync(context, status, mediaType, result).ConfigureAwait(false);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("Verification.GraphQL.Transport")
            : NullLogger.Instance;

    /// <summary>Picks the response media type from Accept (GraphQL over HTTP §"Accept"): graphql-response+json
    /// when acceptable, else application/json; null when neither is acceptable.</summary>
    internal static string? NegotiateMediaType(HttpRequest request)
    {
        var accept = request.Headers.Accept;
        if (accept.Count == 0)
        {
            return Json;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var values) || values.Count == 0)
        {
            return Json;
        }

        foreach (var value in values.OrderByDescending(v => v.Quality ?? 1))
        {
            if (value.Quality == 0)
            {
                continue;
            }

            var type = value.MediaType.Value;
            if (string.Equals(type, GraphQLResponseJson, StringComparison.OrdinalIgnoreCase))
            {
                return GraphQLResponseJson;
            }

            if (string.Equals(type, Json, StringComparison.OrdinalIgnoreCase)
                || type is "*/*" or "application/*")
            {
                return Json;
            }
        }

        return null;
    }

    private static (GraphQLRequest? Request, string? Error) ReadGet(HttpRequest request)
    {
        var query = request.Query["query"].ToString();
        if (string.IsNullOrEmpty(query))
        {
            return (null, "The request must contain a \"query\" parameter.");
        }

        string? error = null;
        var variables = RequestReader.ReadObjectText(request.Query["variables"].ToString(), "variables", ref error);
        var extensions = RequestReader.ReadObjectText(request.Query["extensions"].ToString(), "extensions", ref error);
        var operationName = request.Query["operationName"].ToString();
        return error is not null
            ? (null, error)
            : (new GraphQLRequest(query, operationName.Length == 0 ? null : operationName, variables, extensions), null);
    }

    private async Task<(GraphQLRequest? Request, string? Error, int Status)> ReadPostAsync(HttpRequest request)
    {
        var contentType = request.ContentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            || !(parsed.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)
                || parsed.MediaType.Equals("application/graphql+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, "Content-Type must be application/json.", StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return (null, $"The request body exceeds {_options.MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        var body = await ReadLimitedAsync(request.Body, _options.MaxRequestBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return (null, $"The request body exceeds {_options.MaxRequestBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var graphQLRequest = RequestReader.Read(document.RootElement, out var error);
            return (graphQLRequest, error, StatusCodes.Status400BadRequest);
        }
        catch (JsonException)
        {
            return (null, "The request body is not valid JSON.", StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Task WriteRequestErrorAsync(HttpContext context, int status, string mediaType, string message)
    {
        var result = ExecutionResult.RequestError([new GraphQLError(
            message, [], null, new Dictionary<string, object?> { ["code"] = ErrorCodes.BadUserInput })]);
        return WriteResultAsync(context, status, mediaType, result);
    }

    private static async Task WriteResultAsync(HttpContext context, int status, string mediaType, ExecutionResult result)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = mediaType + "; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body, ExecutionResult.WriterOptions);
        result.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
