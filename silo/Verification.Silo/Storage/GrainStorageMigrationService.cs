using Microsoft.Extensions.Hosting;

namespace Verification.Silo.Storage;

/// <summary>
/// Applies the schema migrations when the host starts. Hosted services start before the web server
/// listens, so no request reaches a grain before the schema exists; a failed migration stops the start.
/// </summary>
internal sealed class GrainStorageMigrationService(IGrainStorageMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
