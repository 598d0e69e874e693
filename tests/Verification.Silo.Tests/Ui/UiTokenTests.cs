using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Verification.Silo.Tests.Ui;

/// <summary>
/// The built-in UI with tokens on, in the real headless Chromium against its own silo process (a bootstrap token
/// configured): the first data call answers 401 and the page asks for a token; the token entered is kept in
/// sessionStorage, sent as a bearer header (the list loads) and in the WebSocket's connection_init (the live verdict
/// connects); "Forget token" drops it.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class UiTokenTests(UiFixture fixture)
{
    private const string Bootstrap = "bootstrap-0123456789abcdef0123456789abcdef";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private Chromium Browser => fixture.Browser;

    [Fact]
    public async Task Pages_TokensOn_AskForATokenRefuseABadOneThenShowDataAndLiveVerdictWithAGoodOne()
    {
        var directory = Directory.CreateTempSubdirectory("verification-ui-token-").FullName;
        try
        {
            await using var silo = await StartWithTokensAsync(directory);
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Bootstrap);
            await UiScenario.RegisterAsync(http, "tok-1", "checkout", "v7", "payments", DateTimeOffset.UtcNow.AddHours(-1),
                [new { name = "errors", kind = "RATIO", direction = "INCREASE" }]);
            var token = await CreateReadTokenAsync(http);

            await Browser.NavigateAsync(new Uri(silo.BaseAddress, "/"));
            var asked = await Browser.WaitForAsync("document.querySelector('#token-form h2')?.textContent", Wait);
            Assert.Equal("This service needs an API token", (string?)asked);
            Assert.Equal("token-input", (string?)await Browser.EvaluateAsync("document.activeElement.id"));

            await EnterTokenAsync("vt_not-a-token");
            await WaitAcrossReloadAsync("document.querySelector('#token-form h2')?.textContent === 'The token was refused'");
            Assert.Equal("vt_not-a-token", (string?)await Browser.EvaluateAsync("sessionStorage.getItem('verification.token')"));

            Browser.ClearErrors();
            await EnterTokenAsync(token);

            await WaitAcrossReloadAsync("document.querySelector('#list tbody tr[data-id=\"tok-1\"]')");
            Assert.Null(await Browser.EvaluateAsync("document.getElementById('token-form')"));
            Assert.Equal(token, (string?)await Browser.EvaluateAsync("sessionStorage.getItem('verification.token')"));
            Assert.Equal(0, (int)(await Browser.EvaluateAsync("localStorage.length"))!);
            Assert.Equal("Forget token", (string?)await Browser.EvaluateAsync("document.getElementById('forget-token').textContent"));

            await Browser.NavigateAsync(new Uri(silo.BaseAddress, "/deployments/tok-1"));
            await Browser.WaitForAsync(
                "document.querySelector('#verdict-decision [data-decision=PENDING]') && document.getElementById('connection').textContent.startsWith('Live')",
                Wait);
            await Browser.NavigateAsync(new Uri(silo.BaseAddress, "/graphql"));
            await Browser.WaitForAsync("document.querySelector('#result pre').textContent.includes('\"tok-1\"')", Wait);
            Assert.Empty(Browser.Errors);

            await Browser.EvaluateAsync("setTimeout(() => document.getElementById('forget-token').click(), 0)");
            await WaitAcrossReloadAsync("document.getElementById('token-form')");
            Assert.Null(await Browser.EvaluateAsync("sessionStorage.getItem('verification.token')"));
            Assert.Null(await Browser.EvaluateAsync("document.getElementById('forget-token')"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// <see cref="Chromium.WaitForAsync"/> while the page reloads (the form's submit and "Forget token" reload it): an
    /// evaluation the reload interrupts is asked again, up to the same deadline.
    /// </summary>
    private async Task WaitAcrossReloadAsync(string expression)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                await Browser.WaitForAsync(expression, deadline - DateTime.UtcNow);
                return;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("navigated", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                // The document went away under the evaluation: ask the new one.
            }
        }
    }

    /// <summary>Types <paramref name="token"/> into the token form and submits it (the page reloads).</summary>
    private Task EnterTokenAsync(string token) =>
        Browser.EvaluateAsync($$"""
            (() => { document.getElementById('token-input').value = {{JsonSerializer.Serialize(token)}};
              setTimeout(() => document.querySelector('#token-form button[type=submit]').click(), 0); })()
            """);

    /// <summary>A silo process over a SQLite file in <paramref name="directory"/>, tokens on (a bootstrap token configured).</summary>
    private static async Task<TestSupport.SiloProcess> StartWithTokensAsync(string directory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await TestSupport.SiloProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:Provider"] = "sqlite",
            ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "token.db")}",
            ["Auth:BootstrapToken"] = Bootstrap,
        }, timeout.Token);
    }

    private static async Task<string> CreateReadTokenAsync(HttpClient http)
    {
        using var response = await http.PostAsync("v1/tokens",
            new StringContent("""{"name":"ui-reader","scopes":["read"]}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("token").GetString()!;
    }
}
