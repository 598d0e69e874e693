using System.Diagnostics;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Configuration.Memory;

namespace Verification.Silo.Hosting;

/// <summary>
/// What the process does before any user configuration: quiet framework logs (warnings and errors always, no four lines
/// per request), no request log unless asked for, human text unescaped in JSON answers. Every default here is the
/// lowest-priority configuration source, so appsettings, environment and command line override it.
/// </summary>
internal static class SiloHostDefaults
{
    /// <summary>The category of the one-line-per-request log; off unless its level is set to Information.</summary>
    public const string RequestLogCategory = "Verification.Requests";

    private static readonly Dictionary<string, string?> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        [$"Logging:LogLevel:{RequestLogCategory}"] = "Warning",
    };

    public static WebApplicationBuilder UseSiloDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return builder;
    }

    /// <summary>
    /// One line per request at Information in <see cref="RequestLogCategory"/> ("GET /v1/deployments/x 404 1.2 ms"),
    /// written after the answer; costs nothing while that level is off.
    /// </summary>
    public static WebApplication UseRequestLog(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestLogCategory);
        app.Use(async (context, next) =>
        {
            if (!logger.IsEnabled(LogLevel.Information))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                RequestLog.Served(
                    logger, context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        return app;
    }
}

internal static partial class RequestLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMilliseconds:0.0} ms")]
    public static partial void Served(ILogger logger, string method, string path, int statusCode, double elapsedMilliseconds);
}
