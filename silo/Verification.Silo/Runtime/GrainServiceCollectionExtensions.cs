using Verification.Api.Contracts;

namespace Verification.Silo.Runtime;

/// <summary>Registers the grain runtime and grain types.</summary>
internal static class GrainServiceCollectionExtensions
{
    public static IServiceCollection AddGrainRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GrainRuntimeOptions>().Bind(configuration.GetSection(GrainRuntimeOptions.Section))
            .Validate(o =>
            {
                o.Validate();
                return true;
            })
            .ValidateOnStart();
        services.AddSingleton(new GrainTypeRegistry());
        services.AddSingleton<GrainRuntime>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.AddHostedService<GrainCollector>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Serves <typeparamref name="TInterface"/> with <typeparamref name="TGrain"/>, stored under <paramref name="typeName"/>.</summary>
    public static IServiceCollection AddGrain<TInterface, TGrain>(this IServiceCollection services, string typeName)
        where TInterface : IGrainWithStringKey
        where TGrain : class, TInterface
    {
        var registry = (GrainTypeRegistry?)services.LastOrDefault(d => d.ServiceType == typeof(GrainTypeRegistry))?.ImplementationInstance
            ?? throw new InvalidOperationException("Call AddGrainRuntime before AddGrain.");
        registry.Add(typeof(TInterface), typeof(TGrain), typeName);
        return services;
    }
}
