using Google.Protobuf;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Ingestion.RemoteWrite;
using Verification.Silo.Protos.Otlp;

namespace Verification.Silo.Ingestion.Telemetry;

/// <summary>
/// The push receivers: OTLP/HTTP metrics and Prometheus remote write 1.0. Both decode the whole body first, so a
/// bad body is a 4xx with nothing applied; then look up, translate, record, commit (Otlp/README.md).
/// </summary>
internal static class TelemetryEndpoints
{
    public const string OtlpPath = "/otlp/v1/metrics";
    public const string RemoteWritePath = "/prometheus/api/v1/write";

    private const string OtlpReceiver = "otlp";
    private const string RemoteWriteReceiver = "remote-write";

    public static IEndpointRouteBuilder MapTelemetryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(OtlpPath, ExportOtlpAsync).RequireScope(Scopes.Ingest);
        endpoints.MapPost(RemoteWritePath, RemoteWriteAsync).RequireScope(Scopes.Ingest);
        return endpoints;
    }

    private static async Task<IResult> ExportOtlpAsync(
        HttpRequest request, OtlpMetricsTranslator translator, TelemetryRecorder recorder, TelemetryIngestionOptions options,
        TelemetryMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TelemetryEndpoints));
        var contentType = request.ContentType;
        if (!IsMediaType(contentType, OtlpHttp.ProtobufContentType) && !IsMediaType(contentType, OtlpHttp.JsonContentType))
        {
            return OtlpStatus(StatusCodes.Status415UnsupportedMediaType,
                $"Send '{OtlpHttp.ProtobufContentType}' or '{OtlpHttp.JsonContentType}'; got '{contentType}'.", contentType, logger, metrics);
        }

        ExportMetricsServiceRequest export;
        try
        {
            export = await OtlpDecoder.DecodeAsync(
                request.Body, contentType, request.Headers.ContentEncoding, options.MaxBodyBytes, request.ContentLength, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (TelemetryDecodeException e)
        {
            return OtlpStatus(StatusFor(e.Error), e.Message, contentType, logger, metrics);
        }

        TelemetryOutcome outcome;
        try
        {
            var lookup = await recorder.LookupAsync(OtlpMetricsTranslator.DeploymentIds(export), cancellationToken).ConfigureAwait(false);
            outcome = await recorder.RecordAsync(translator.Translate(export, lookup), lookup, cancellationToken).ConfigureAwait(false);
        }
        catch (ForbiddenException e)
        {
            return OtlpStatus(StatusCodes.Status403Forbidden, e.Message, contentType, logger, metrics);
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            TelemetryLog.StorageFailed(logger, e, OtlpReceiver);
            return OtlpStatus(StatusCodes.Status503ServiceUnavailable, "Storage is not available; retry later.", contentType, logger, metrics);
        }

        var response = new ExportMetricsServiceResponse();
        if (outcome.Rejected > 0)
        {
            TelemetryLog.PartiallyRejected(logger, OtlpReceiver, outcome.Rejected, outcome.Message ?? string.Empty);
            metrics.RejectedPoints.Add(outcome.Rejected, new KeyValuePair<string, object?>("receiver", OtlpReceiver));
            // OTLP specification, "Partial Success": set only when something was rejected; still HTTP 200.
            response.PartialSuccess = new ExportMetricsPartialSuccess
            {
                RejectedDataPoints = outcome.Rejected,
                ErrorMessage = outcome.Message ?? string.Empty,
            };
        }

        var (body, type) = OtlpHttp.EncodeResponse(response, contentType);
        return Results.Bytes(body, type);
    }

    private static async Task<IResult> RemoteWriteAsync(
        HttpRequest request, RemoteWriteTranslator translator, TelemetryRecorder recorder, TelemetryIngestionOptions options,
        TelemetryMetrics metrics, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(TelemetryEndpoints));

        // Remote write 1.0: Content-Type application/x-protobuf (remote write 2.0 adds proto=io.prometheus.write.v2.Request,
        // which we do not speak: 415 tells a 2.0 sender to fall back).
        var contentType = request.ContentType;
        if (!IsMediaType(contentType, "application/x-protobuf")
            || (contentType!.Contains("proto=", StringComparison.OrdinalIgnoreCase)
                && !contentType.Contains("proto=prometheus.WriteRequest", StringComparison.Ordinal)))
        {
            return Refused(StatusCodes.Status415UnsupportedMediaType,
                $"Send remote write 1.0: 'application/x-protobuf' (prometheus.WriteRequest), snappy-compressed; got '{contentType}'.",
                logger, metrics);
        }

        Protos.Prometheus.WriteRequest write;
        try
        {
            write = await RemoteWriteDecoder.DecodeAsync(
                    request.Body, request.Headers.ContentEncoding, options.MaxBodyBytes, request.ContentLength, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (TelemetryDecodeException e)
        {
            return Refused(StatusFor(e.Error), e.Message, logger, metrics);
        }

        try
        {
            var lookup = await recorder.LookupAsync(RemoteWriteTranslator.DeploymentIds(write), cancellationToken).ConfigureAwait(false);
            var outcome = await recorder.RecordAsync(translator.Translate(write, lookup), lookup, cancellationToken).ConfigureAwait(false);
            if (outcome.Rejected > 0)
            {
                // Remote write has no partial-success answer, and a 4xx would make Prometheus drop the whole batch
                // (it does not retry 4xx): samples of other deployments or unregistered metrics are normal, so 204.
                TelemetryLog.PartiallyRejected(logger, RemoteWriteReceiver, outcome.Rejected, outcome.Message ?? string.Empty);
                metrics.RejectedPoints.Add(outcome.Rejected, new KeyValuePair<string, object?>("receiver", RemoteWriteReceiver));
            }

            return Results.NoContent();
        }
        catch (ForbiddenException e)
        {
            return Refused(StatusCodes.Status403Forbidden, e.Message, logger, metrics);
        }
        catch (Exception e) when (IsStorageFailure(e, cancellationToken))
        {
            // 5xx: Prometheus retries with backoff, and the deduplicated batchIds make the retry safe.
            TelemetryLog.StorageFailed(logger, e, RemoteWriteReceiver);
            CountRefused(metrics, RemoteWriteReceiver, StatusCodes.Status503ServiceUnavailable);
            return Results.Problem("Storage is not available; retry later.", statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Storage unavailable");
        }
    }

    private static int StatusFor(TelemetryDecodeError error) => error switch
    {
        TelemetryDecodeError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        TelemetryDecodeError.UnsupportedEncoding => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>A bad request is the sender's; anything else failing after decoding is our storage.</summary>
    private static bool IsStorageFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not ForbiddenException;

    private static IResult Refused(int status, string reason, ILogger logger, TelemetryMetrics metrics)
    {
        TelemetryLog.Refused(logger, RemoteWriteReceiver, status, reason);
        CountRefused(metrics, RemoteWriteReceiver, status);
        return Results.Problem(reason, statusCode: status, title: status switch
        {
            StatusCodes.Status413PayloadTooLarge => "Payload too large",
            StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
            StatusCodes.Status403Forbidden => "Forbidden",
            _ => "Bad input",
        });
    }

    /// <summary>
    /// OTLP/HTTP failures carry a google.rpc.Status body in the request's encoding (OTLP specification, "Failures").
    /// Status is written by hand (code = field 1, message = field 2) rather than declaring google/rpc/status.proto
    /// for two fields.
    /// </summary>
    private static IResult OtlpStatus(int httpStatus, string message, string? contentType, ILogger logger, TelemetryMetrics metrics)
    {
        TelemetryLog.Refused(logger, OtlpReceiver, httpStatus, message);
        CountRefused(metrics, OtlpReceiver, httpStatus);
        // google.rpc.Code: INVALID_ARGUMENT (3) for the sender's mistakes, UNAVAILABLE (14) for ours (retryable).
        var code = httpStatus == StatusCodes.Status503ServiceUnavailable ? 14 : 3;
        if (IsMediaType(contentType, OtlpHttp.JsonContentType))
        {
            return Results.Json(new { code, message }, statusCode: httpStatus);
        }

        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32(code);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(message);
        output.Flush();
        return new StatusBytes(httpStatus, buffer.ToArray(), OtlpHttp.ProtobufContentType);
    }

    private static void CountRefused(TelemetryMetrics metrics, string receiver, int status) =>
        metrics.RefusedRequests.Add(1, new KeyValuePair<string, object?>("receiver", receiver), new KeyValuePair<string, object?>("status", status));

    private static bool IsMediaType(string? contentType, string mediaType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>Bytes with a status code (Results.Bytes always answers 200).</summary>
    private sealed class StatusBytes(int status, byte[] body, string contentType) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = contentType;
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
