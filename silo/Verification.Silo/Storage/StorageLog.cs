using Microsoft.Extensions.Logging;

namespace Verification.Silo.Storage;

/// <summary>Source-generated log messages of the storage layer. Never logs payloads, state or connection strings.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Grain storage {Provider}: applied schema migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, string provider, int version, string name);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Grain storage {Provider} at {Location}: schema at version {Version}")]
    public static partial void SchemaReady(ILogger logger, string provider, string location, int version);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug,
        Message = "Grain {GrainId}: journal append from sequence {Sequence} refused (sequence or batch id already stored)")]
    public static partial void WriteConflict(ILogger logger, string grainId, long sequence);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error,
        Message = "Grain storage {Provider}: a commit of {Operations} operations failed; none of them is durable")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string provider, int operations);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Grain storage {Provider}: the database did not answer a ping")]
    public static partial void PingFailed(ILogger logger, Exception exception, string provider);
}
