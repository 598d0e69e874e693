using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Verification.Api.Contracts;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// The in-process silo a fuzz surface runs against, its SQLite database on tmpfs when the machine has one: the
/// properties are about answers and counts, and thousands of synchronous=FULL commits on a shared disk would make the
/// suite too slow for CI.
/// </summary>
internal sealed class FuzzSilo : IAsyncDisposable
{
    private readonly string? _directory;

    public FuzzSilo(SiloFactory factory)
    {
        if (Directory.Exists("/dev/shm"))
        {
            _directory = Directory.CreateDirectory(Path.Combine("/dev/shm", $"verification-fuzz-{Guid.NewGuid():N}")).FullName;
            Factory = factory.WithWebHostBuilder(b =>
                b.UseSetting("Storage:ConnectionString", $"Data Source={Path.Combine(_directory, "fuzz.db")}"));
        }
        else
        {
            Factory = factory;
        }

        Http = Factory.CreateClient();
        Http.Timeout = FuzzRun.MaxTimePerInput * 2;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Http { get; }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_directory is not null)
        {
            await Factory.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static async Task RegisterAsync(HttpClient http, string id, params MetricInput[] metrics)
    {
        using var response = await http.PostAsJsonAsync("/v1/deployments", new RegisterDeploymentInput(id, "fuzz", "v2", metrics), ContractJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static async Task<IReadOnlyList<CohortSummary>> SummariesAsync(HttpClient http, string id)
    {
        var deployment = await http.GetFromJsonAsync<Deployment>($"/v1/deployments/{id}", ContractJson.Options);
        return deployment!.Summaries;
    }

    /// <summary>Any answer but a server error; the service must also still be serving.</summary>
    public static void NotServerError(HttpResponseMessage response) =>
        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
