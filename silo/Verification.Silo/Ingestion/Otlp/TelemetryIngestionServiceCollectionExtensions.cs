using Microsoft.Extensions.DependencyInjection.Extensions;
using Verification.Silo.Ingestion.RemoteWrite;

namespace Verification.Silo.Ingestion.Otlp;

/// <summary>Registers the OTLP and remote-write decoding and mapping services.</summary>
internal static class TelemetryIngestionServiceCollectionExtensions
{
    /// <summary>Configuration section of <see cref="TelemetryIngestionOptions"/>.</summary>
    public const string Section = "Ingestion:Telemetry";

    /// <summary>
    /// Adds <see cref="TelemetryIngestionOptions"/> (validated now, so a bad setting fails the start),
    /// one <see cref="CumulativeDeltaConverter"/> shared by both receivers, and the two translators.
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
        return services;
    }
}
