using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Verification.Silo.Telemetry;

/// <summary>
/// The silo's <c>/metrics</c>: one prometheus-net registry per host, fed by the <see cref="MeterBridge"/> (the silo meter,
/// ASP.NET Core, Kestrel, the .NET runtime) and by the <see cref="ScrapeGauges"/> read at scrape time (SLO budgets,
/// deployments, DORA: <see cref="DomainMetrics"/>).
/// </summary>
internal sealed class SiloPrometheus : IDisposable
{
    /// <summary>The exposition content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterBridge _bridge;

    public SiloPrometheus(IMeterFactory meters, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Registry = Metrics.NewCustomRegistry();
        Budget = new SeriesBudget(Registry, options.Value.MaxSeriesPerMetric);
        _bridge = new MeterBridge(Registry, meters, Budget);
    }

    public CollectorRegistry Registry { get; }

    public SeriesBudget Budget { get; }

    /// <summary>Writes every series in the text exposition format 0.0.4.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, ExpositionFormat.PrometheusText, cancellationToken);

    public void Dispose() => _bridge.Dispose();
}

/// <summary>Maps <c>GET /metrics</c>.</summary>
internal static class MetricsEndpoint
{
    public static RouteHandlerBuilder MapPrometheusMetrics(this WebApplication app)
    {
        // Resolved now so that the bridge listens from the start and the domain gauges are registered.
        var prometheus = app.Services.GetRequiredService<SiloPrometheus>();
        app.Services.GetRequiredService<DomainMetrics>();
        return app.MapGet("/metrics", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            context.Response.ContentType = SiloPrometheus.ContentType;
            await prometheus.WriteAsync(context.Response.Body, cancellationToken).ConfigureAwait(false);
        });
    }
}

/// <summary>Registers the <c>/metrics</c> pipeline.</summary>
internal static class SiloPrometheusServiceCollectionExtensions
{
    public static IServiceCollection AddSiloPrometheus(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section))
            .Validate(o => o.MaxSeriesPerMetric >= 1, $"{MetricsOptions.Section}:MaxSeriesPerMetric must be >= 1.")
            .Validate(o => o.RefreshSeconds >= 0, $"{MetricsOptions.Section}:RefreshSeconds must be >= 0.")
            .ValidateOnStart();
        services.AddSingleton<SiloPrometheus>();
        services.AddSingleton<ScrapeGauges>();
        services.AddSingleton<DomainMetrics>();
        services.AddOtlpExport(configuration);
        return services;
    }
}
