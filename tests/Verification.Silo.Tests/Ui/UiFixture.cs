using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Ui;

/// <summary>
/// One real silo process on a loopback port, fed a small scenario (deployments promoted and rolled back, two SLOs,
/// one paging, DORA data for three teams), and one headless Chromium page for the UI tests.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("verification-ui-").FullName;
    private SiloProcess? _silo;
    private Chromium? _browser;

    internal SiloProcess Silo => _silo ?? throw new InvalidOperationException("not started");

    internal Chromium Browser => _browser ?? throw new InvalidOperationException("not started");

    internal HttpClient Http { get; private set; } = new();

    /// <summary>Where the screenshots go: <c>artifacts/ui</c> at the repository root.</summary>
    internal static string ArtifactsDirectory => Path.Combine(RepositoryRoot(), "artifacts", "ui");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        _silo = await StartSiloAsync(Path.Combine(_directory, "ui.db"), timeout.Token);
        Http = new HttpClient { BaseAddress = _silo.BaseAddress };
        await UiScenario.SeedAsync(Http, DateTimeOffset.UtcNow);
        _browser = await Chromium.LaunchAsync(1440, 900, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        Http.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    internal static Task<SiloProcess> StartSiloAsync(string database, CancellationToken cancellationToken) =>
        SiloProcess.StartAsync(
            new Dictionary<string, string> { ["Storage:Provider"] = "sqlite", ["Storage:ConnectionString"] = $"Data Source={database}" },
            cancellationToken);

    /// <summary>
    /// Keeps a screenshot under <c>artifacts/ui/</c>; with <c>VERIFICATION_UPDATE_SCREENSHOTS=1</c> also refreshes the
    /// committed copy in <c>docs/screenshots/</c> that the README shows.
    /// </summary>
    internal async Task SaveScreenshotAsync(string name)
    {
        var png = await Browser.ScreenshotAsync();
        Directory.CreateDirectory(ArtifactsDirectory);
        await File.WriteAllBytesAsync(Path.Combine(ArtifactsDirectory, name), png);
        if (Environment.GetEnvironmentVariable("VERIFICATION_UPDATE_SCREENSHOTS") == "1")
        {
            var docs = Path.Combine(RepositoryRoot(), "docs", "screenshots");
            Directory.CreateDirectory(docs);
            await File.WriteAllBytesAsync(Path.Combine(docs, name), png);
        }
    }

    internal async Task<JsonElement> QueryAsync(string query, object? variables = null)
    {
        var document = await Http.PostGraphQLAsync(query, variables);
        Assert.False(document.TryGetProperty("errors", out var errors), errors.ToString());
        return document.GetProperty("data");
    }

    /// <summary>The repository root: the first directory above the test binaries holding Verification.sln.</summary>
    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Verification.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("No Verification.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>The UI test classes share one silo and one browser, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "UI";
}
