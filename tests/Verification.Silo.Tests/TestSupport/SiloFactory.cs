using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Verification.Silo.Tests.TestSupport;

/// <summary>The whole silo in process (TestServer) over its own temporary SQLite database.</summary>
public sealed class SiloFactory : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-http-").FullName;

    /// <summary>The SQLite file the silo stores everything in.</summary>
    public string DatabasePath => Path.Combine(_directory, "test.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:ConnectionString", $"Data Source={DatabasePath}");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Orleans ports of its own (several factories run at once).
        builder.UseSetting("Cluster:SiloPort", "0");
        builder.UseSetting("Cluster:GatewayPort", "0");
        builder.ConfigureLogging(logging => logging.AddProvider(ServerErrors));
    }

    /// <summary>Exceptions the server logged; any fails the test when the factory is disposed.</summary>
    public ServerErrorLog ServerErrors { get; } = new();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        ServerErrors.ThrowIfAny();
    }
}
