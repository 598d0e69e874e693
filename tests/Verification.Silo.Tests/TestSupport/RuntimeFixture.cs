using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Runtime;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>A grain runtime over in-memory storage and a manual clock, with the given grain types.</summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    /// <param name="decorate">Wraps the storage the runtime sees (e.g. to count reads); <see cref="Storage"/> stays the inner one.</param>
    public RuntimeFixture(
        Action<GrainTypeRegistry>? register = null,
        GrainRuntimeOptions? options = null,
        InMemoryGrainStorage? storage = null,
        Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        Storage = storage ?? new InMemoryGrainStorage();
        var registry = new GrainTypeRegistry();
        registry.Add(typeof(IDeploymentGrain), typeof(DeploymentGrain), DeploymentGrain.TypeName);
        registry.Add(typeof(IServiceGrain), typeof(ServiceGrain), ServiceGrain.TypeName);
        register?.Invoke(registry);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(Time)
            .AddSingleton<IVerdictFeed>(Feed)
            .AddMetrics()
            .AddSingleton<SiloMetrics>()
            // Grains call grains (deployment → service); resolved when the first grain is created, after Sut is set.
            .AddSingleton<IGrainFactory>(_ => Sut!)
            .BuildServiceProvider();
        Sut = new GrainRuntime(registry, services, decorate?.Invoke(Storage) ?? Storage, Time, Options.Create(options ?? new GrainRuntimeOptions()),
            NullLogger<GrainRuntime>.Instance);
    }

    public InMemoryGrainStorage Storage { get; }

    public ManualTimeProvider Time { get; } = new();

    public InProcessVerdictFeed Feed { get; } = new();

    public GrainRuntime Sut { get; }

    public ValueTask DisposeAsync() => Sut.DisposeAsync();
}
