using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Verification.Silo.Telemetry;

/// <summary>Configuration section <c>Otlp</c>: where the silo sends its own traces and metrics.</summary>
internal sealed class OtlpExportOptions
{
    public const string Section = "Otlp";

    /// <summary>OTLP/HTTP base address (e.g. <c>http://collector:4318</c>); unset: nothing is exported.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "verification";

    /// <summary>How often metrics are exported, and the longest a finished span waits to be sent.</summary>
    public int ExportIntervalMilliseconds { get; set; } = 10_000;
}

/// <summary>
/// The silo's own telemetry over OTLP/HTTP protobuf (OpenTelemetry .NET SDK) when <c>Otlp:Endpoint</c> is set: traces
/// of every HTTP request (ASP.NET Core instrumentation) to <c>{endpoint}/v1/traces</c>, and the meters that
/// <c>/metrics</c> shows (silo, ASP.NET Core, Kestrel, runtime) to <c>{endpoint}/v1/metrics</c>.
/// </summary>
internal static class OtlpExport
{
    public static readonly string[] Meters =
        [SiloMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", MeterBridge.RuntimeMeter];

    public static IServiceCollection AddOtlpExport(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OtlpExportOptions.Section).Get<OtlpExportOptions>();
        if (options?.Endpoint is not { } endpoint)
        {
            return services;
        }

        if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https") || options.ExportIntervalMilliseconds < 1)
        {
            throw new InvalidOperationException(
                $"{OtlpExportOptions.Section}:Endpoint must be an absolute http(s) address and {OtlpExportOptions.Section}:ExportIntervalMilliseconds >= 1.");
        }

        var root = endpoint.AbsoluteUri.TrimEnd('/');
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter(exporter =>
                {
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = new Uri(root + "/v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = options.ExportIntervalMilliseconds;
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(Meters)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = new Uri(root + "/v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.ExportIntervalMilliseconds;
                }));
        return services;
    }
}
