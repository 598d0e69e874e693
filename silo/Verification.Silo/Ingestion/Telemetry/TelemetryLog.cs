namespace Verification.Silo.Ingestion.Telemetry;

/// <summary>Source-generated log messages of the telemetry receivers; never logs payloads.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "{Receiver}: request refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string receiver, int status, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "{Receiver}: storing the translated samples failed; answering 503 so that the sender retries")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string receiver);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "{Receiver}: {Rejected} data point(s) rejected: {Message}")]
    public static partial void PartiallyRejected(ILogger logger, string receiver, long rejected, string message);
}
