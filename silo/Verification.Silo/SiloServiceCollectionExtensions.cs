using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Deployments;
using Verification.Api.Slo;
using Verification.Silo.Grains;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;
using Verification.Silo.Webhooks;

namespace Verification.Silo;

/// <summary>
/// Everything the silo runs on besides Orleans itself (<see cref="Cluster.SiloBuilderExtensions"/>), registered once:
/// Program.cs uses it for the server, <see cref="Cluster.InProcessSilo"/> for benchmarks and tests without HTTP.
/// </summary>
internal static class SiloServiceCollectionExtensions
{
    public static IServiceCollection AddVerificationSilo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<SiloMetrics>();
        services.AddSiloPrometheus(configuration);

        // Storage first: its migration hosted service must run before anything that reads storage at start.
        services.AddGrainStorage(configuration);
        services.AddSingleton<InProcessVerdictFeed>();
        if (configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.IsPostgres == true)
        {
            // Several silos may share the database: verdict changes cross silos through per-deployment hub grains.
            services.AddSingleton<ClusterVerdictFeed>();
            services.AddSingleton<IVerdictFeed>(sp => sp.GetRequiredService<ClusterVerdictFeed>());
            services.AddHostedService(sp => sp.GetRequiredService<ClusterVerdictFeed>());
        }
        else
        {
            services.AddSingleton<IVerdictFeed>(sp => sp.GetRequiredService<InProcessVerdictFeed>());
        }

        services.AddSingleton<IDeploymentDirectory, DeploymentDirectory>();
        services.AddSingleton<IServiceDirectory, ServiceDirectory>();
        services.AddSingleton<ITemplateDirectory, TemplateDirectory>();
        services.AddWebhooks(configuration);
        services.AddSingleton<DeploymentRegistrations>();
        services.AddSingleton<SampleIngestion>();
        services.AddAuditTrail();
        services.AddSingleton<SloService>();
        services.AddSingleton<IncidentService>();
        services.AddSingleton<DeliveryService>();
        services.AddSingleton<IDeliveryDirectory, DeliveryDirectory>();
        services.AddSingleton<PipelineRunIngestion>();
        services.AddSingleton<OnCallService>();
        services.AddOptions<VerdictClockOptions>().Bind(configuration.GetSection(VerdictClockOptions.Section))
            .Validate(o => o.ClockSeconds >= 0, $"{VerdictClockOptions.Section}:ClockSeconds must be >= 0 (0 turns the clock off).")
            .ValidateOnStart();
        services.AddHostedService<VerdictClockSweep>();
        services.AddOptions<StateWriteOptions>().Bind(configuration.GetSection(StateWriteOptions.Section))
            .Validate(o => o.StateWriteSeconds is >= 0 and <= StateWriteOptions.MaxStateWriteSeconds,
                $"{StateWriteOptions.Section}:StateWriteSeconds must be between 0 and {StateWriteOptions.MaxStateWriteSeconds} (0 writes the state with every record).")
            .ValidateOnStart();

        // Telemetry inputs: OTLP/HTTP and Prometheus remote write (push); PromQL pull (off unless Prometheus:Url is set).
        services.AddTelemetryIngestion(configuration);
        services.AddPrometheusPull(configuration);
        return services;
    }
}
