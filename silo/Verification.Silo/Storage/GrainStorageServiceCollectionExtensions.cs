using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Verification.Silo.Storage;

/// <summary>Registers the grain storage chosen by configuration (section <c>Storage</c>).</summary>
internal static class GrainStorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="StorageOptions"/> (at start), registers <see cref="IGrainStorage"/> and
    /// <see cref="IGrainStorageMigrator"/> as one singleton of the chosen provider, and a hosted service that
    /// migrates the schema before the server listens. The singleton is disposed with the host, which
    /// commits queued SQLite writes and closes the database.
    /// </summary>
    public static IServiceCollection AddGrainStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new SqliteGrainStorage(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.EffectiveConnectionString,
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        services.TryAddSingleton(sp => new PostgresGrainStorage(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.EffectiveConnectionString,
            sp.GetRequiredService<ILogger<PostgresGrainStorage>>()));
        services.TryAddSingleton<IGrainStorage>(Resolve);
        services.TryAddSingleton<IGrainStorageMigrator>(sp => (IGrainStorageMigrator)Resolve(sp));
        services.AddHostedService<GrainStorageMigrationService>();
        return services;
    }

    // Only the chosen provider is ever constructed; the other registration stays unresolved.
    private static IGrainStorage Resolve(IServiceProvider services) =>
        services.GetRequiredService<IOptions<StorageOptions>>().Value.IsPostgres
            ? services.GetRequiredService<PostgresGrainStorage>()
            : services.GetRequiredService<SqliteGrainStorage>();
}
