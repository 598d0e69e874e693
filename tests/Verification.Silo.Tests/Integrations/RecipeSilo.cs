using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Integrations;

/// <summary>
/// The whole silo in process over its own SQLite file, on a clock the test moves: the recipes ask for a 5-minute minimum
/// and a 30-minute window, which the tests pass by advancing the clock rather than by waiting.
/// </summary>
public sealed class RecipeSilo : WebApplicationFactory<Program>
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-recipes-").FullName;

    internal ManualTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The repository file <paramref name="path"/> (relative to the root, where Verification.sln is).</summary>
    public static string RepositoryFile(string path)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("no Verification.sln above the tests"), path);
    }

    /// <summary>The analysis template both recipes register by (<c>docs/integrations/http-canary-template.json</c>).</summary>
    public const string TemplateName = "http-canary";

    /// <summary>
    /// Stores the recipes' template as their comments tell a user to, before any rollout: <c>curl -X PUT
    /// …/v1/templates/http-canary -H 'Content-Type: application/json' --data-binary @docs/integrations/http-canary-template.json</c>.
    /// Returns the status (201 new, 200 replaced).
    /// </summary>
    public static async Task<System.Net.HttpStatusCode> PutTemplateAsync(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var body = await File.ReadAllTextAsync(RepositoryFile("docs/integrations/http-canary-template.json"));
        using var response = await http.PutAsync($"/v1/templates/{TemplateName}",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:ConnectionString", $"Data Source={Path.Combine(_directory, "recipes.db")}");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
