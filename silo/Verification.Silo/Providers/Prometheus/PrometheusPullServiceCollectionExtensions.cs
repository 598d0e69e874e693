using Microsoft.Extensions.DependencyInjection.Extensions;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Telemetry;
using Verification.Api.Access;
using Verification.Api.Deployments;
using Verification.Api.Http;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>Registers the Prometheus pull provider and maps its status endpoint.</summary>
internal static class PrometheusPullServiceCollectionExtensions
{
    public const string StatusPath = "/prometheus/pull/{deploymentId}";

    /// <summary>
    /// Adds <see cref="PrometheusPullOptions"/> (validated now) and <see cref="PrometheusPull"/>, created per deployment grain
    /// activation; a grain pulls only when <c>Prometheus:Url</c> is set.
    /// </summary>
    public static IServiceCollection AddPrometheusPull(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(PrometheusPullOptions.Section).Get<PrometheusPullOptions>() ?? new PrometheusPullOptions();
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton<TelemetryMetrics>();
        services.AddHttpClient<PrometheusQueryClient>(http => http.Timeout = options.Timeout + TimeSpan.FromSeconds(1));
        services.AddTransient<PrometheusPull>();

        return services;
    }

    /// <summary>
    /// <c>GET /prometheus/pull/{deploymentId}</c>: the last evaluation of each PromQL metric and cohort of a registered
    /// deployment whose service the caller may read (403 otherwise; 404 for an unknown id to a token for every service),
    /// asked of the deployment's grain (which pulls), so any silo answers the same.
    /// </summary>
    public static IEndpointRouteBuilder MapPrometheusPullStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWithProblems().MapGet(StatusPath, async (string deploymentId, IGrainFactory grains, DeploymentCommands deployments,
                CancellationToken cancellationToken) =>
            {
                _ = await deployments.GetAsync(deploymentId, cancellationToken).ConfigureAwait(false)
                    ?? throw new NotFoundException($"Deployment '{deploymentId}' is not registered.");
                return Results.Json(await grains.GetGrain<IPromqlPullGrain>(deploymentId).GetPullStatusAsync(cancellationToken).ConfigureAwait(false),
                    ContractJson.Options);
            })
            .RequireScope(Scopes.Read);
        return endpoints;
    }
}
