using Microsoft.Extensions.DependencyInjection.Extensions;
using Verification.Silo.Ingestion.RemoteWrite;
using Verification.Silo.Ingestion.Telemetry;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Registers the OTLP and remote-write decoding and mapping services.</summary>
internal static class TelemetryIngestionServiceCollectionExtensions
{
    /// <summary>Configuration section of <see cref="TelemetryIngestionOptions"/>.</summary>
    public const string Section = "Ingestion:Telemetry";

    /// <summary>
    /// Adds <see cref="TelemetryIngestionOptions"/> (validated now, so a bad setting fails the start),
    /// one <see cref="CumulativeDeltaConverter"/> shared by both receivers, the two translators, and the
    /// <see cref="TelemetryRecorder"/> their endpoints record through.
    /// </summary>
    public static IServiceCollection AddTelemetryIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<TelemetryIngestionOptions>() ?? new TelemetryIngestionOptions();
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CumulativeDeltaConverter>();
        services.AddSingleton<OtlpMetricsTranslator>();
        services.AddSingleton<RemoteWriteTranslator>();
        services.AddSingleton<TelemetryRecorder>();
        services.TryAddSingleton<TelemetryMetrics>();
        return services;
    }
}
