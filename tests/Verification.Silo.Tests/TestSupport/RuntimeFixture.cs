using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Verification.Api.Contracts;
using Verification.Silo.Cluster;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>
/// A real Orleans silo in process (localhost clustering on free ports, no HTTP) whose grains run over in-memory
/// storage, a manual clock and an in-process verdict feed; <see cref="Sut"/> is Orleans' grain factory.
/// </summary>
internal sealed class RuntimeFixture : IAsyncDisposable
{
    private readonly IHost _host;

    private RuntimeFixture(IHost host, InMemoryGrainStorage storage, ManualTimeProvider time, InProcessVerdictFeed feed)
    {
        _host = host;
        Storage = storage;
        Time = time;
        Feed = feed;
        Sut = host.Services.GetRequiredService<IGrainFactory>();
    }

    public InMemoryGrainStorage Storage { get; }

    public ManualTimeProvider Time { get; }

    public InProcessVerdictFeed Feed { get; }

    public IGrainFactory Sut { get; }

    /// <param name="storage">Shared with an earlier fixture to see a restart over the same data.</param>
    /// <param name="decorate">Wraps the storage the grains see (e.g. to count reads); <see cref="Storage"/> stays the inner one.</param>
    public static async Task<RuntimeFixture> StartAsync(InMemoryGrainStorage? storage = null, Func<IGrainStorage, IGrainStorage>? decorate = null)
    {
        storage ??= new InMemoryGrainStorage();
        var time = new ManualTimeProvider();
        var feed = new InProcessVerdictFeed();
        var seen = decorate?.Invoke(storage) ?? storage;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:SiloPort"] = "0",
            ["Cluster:GatewayPort"] = "0",
            ["Verdicts:ClockSeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var host = InProcessSilo.Build(configuration, services =>
        {
            services.RemoveAll<IHostedService>();
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
            services.Replace(ServiceDescriptor.Singleton<IVerdictFeed>(feed));
            services.Replace(ServiceDescriptor.Singleton(seen));
        });
        await host.StartAsync();
        return new RuntimeFixture(host, storage, time, feed);
    }

    /// <summary>Deactivates every activation (as Orleans does with idle ones); returns how many of our grains left memory.</summary>
    public async Task<int> DeactivateAllAsync()
    {
        var metrics = _host.Services.GetRequiredService<SiloMetrics>();
        var before = metrics.ActiveGrains;
        await Sut.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromMilliseconds(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (metrics.ActiveGrains > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return (int)(before - metrics.ActiveGrains);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
