namespace Verification.Silo.Cluster;

/// <summary>
/// The silo without its HTTP surface, as a generic host: the same services and Orleans configuration as Program.cs, for
/// benchmarks and tests that call grains in process.
/// </summary>
internal static class InProcessSilo
{
    /// <param name="configure">Runs after the silo's own registrations (e.g. to replace the clock or the storage).</param>
    public static IHost Build(IConfiguration configuration, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddVerificationSilo(builder.Configuration);
        configure?.Invoke(builder.Services);
        builder.UseOrleans(silo => silo.ConfigureVerificationCluster(builder.Configuration));
        return builder.Build();
    }
}
