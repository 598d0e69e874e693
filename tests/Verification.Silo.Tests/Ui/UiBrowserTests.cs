using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Verification.Silo.Tests.Ui;

/// <summary>
/// The built-in UI in a real headless Chromium against a real silo process fed <see cref="UiScenario"/>: what each
/// page shows is compared with what the GraphQL API answers, a verdict change arrives without a reload, the keyboard
/// reaches everything, and no page logs a console error (CSP violations and failed loads included).
/// </summary>
[Collection(UiCollection.Name)]
public sealed class UiBrowserTests(UiFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private Chromium Browser => fixture.Browser;

    [Fact]
    public async Task DeploymentsPage_SeededSilo_ListsEveryDeploymentWithItsDecision()
    {
        var data = await fixture.QueryAsync("{ deployments(first: 1000) { id verdict { decision } } }");
        var expected = data.GetProperty("deployments").EnumerateArray()
            .Select(d => $"{d.GetProperty("id").GetString()}={d.GetProperty("verdict").GetProperty("decision").GetString()}")
            .Where(row => !row.StartsWith("ui-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        var sut = await OpenAsync("/", "document.querySelectorAll('#list tbody tr').length >= 4");

        var rows = await Browser.EvaluateAsync("""
            [...document.querySelectorAll('#list tbody tr')].map(r => r.dataset.id + '=' + r.querySelector('[data-decision]').dataset.decision)
            """);
        Assert.Equal(expected, Strings(rows).Where(row => !row.StartsWith("ui-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal("Deployments", await TextAsync("h1"));
        Assert.Equal("page", await TextAsync("nav a[aria-current]", "getAttribute('aria-current')"));
        await fixture.SaveScreenshotAsync("deployments.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task DeploymentPage_RolledBack_DrawsEachMetricAgainstItsAllowedChange()
    {
        var data = await fixture.QueryAsync("""{ deployment(id: "checkout-42") { verdict { decision metrics { metric effect } } } }""");
        var verdict = data.GetProperty("deployment").GetProperty("verdict");
        var effect = verdict.GetProperty("metrics")[0].GetProperty("effect").GetDouble();

        var sut = await OpenAsync("/deployments/checkout-42", "document.querySelectorAll('.metric').length === 2");

        Assert.Equal("ROLLBACK", await TextAsync("#verdict-decision [data-decision]", "dataset.decision"));
        Assert.Equal(["errors", "latency-ms"], Strings(await Browser.EvaluateAsync("[...document.querySelectorAll('.metric h3')].map(h => h.textContent)")));
        Assert.Equal(2, (int)(await Browser.EvaluateAsync("document.querySelectorAll('.metric svg.ci-chart .ci-allowed').length"))!);
        Assert.Equal(Percent(effect, signed: true), await TextAsync(".metric .facts dd"));
        Assert.Equal("up to +20.0 %", await TextAsync(".metric .facts div:nth-child(3) dd"));
        await fixture.SaveScreenshotAsync("deployment.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task DeploymentPage_VerdictChanges_AppearsWithoutReload()
    {
        await UiScenario.RegisterAsync(fixture.Http, "ui-live", "checkout", "v43", "payments", DateTimeOffset.UtcNow.AddHours(-2),
            [new { name = "errors", kind = "RATIO", direction = "INCREASE", critical = true }]);
        var sut = await OpenAsync("/deployments/ui-live",
            "document.querySelector('#verdict-decision [data-decision=PENDING]') && document.getElementById('connection').textContent.startsWith('Live')");
        await Browser.EvaluateAsync("window.sameDocument = 'yes'");

        await UiScenario.RatioAsync(fixture.Http, "ui-live", "BASELINE", 0, 10_000, 1);
        await UiScenario.RatioAsync(fixture.Http, "ui-live", "CANARY", 30, 10_000, 1);

        await Browser.WaitForAsync("document.querySelector('#verdict-decision [data-decision=ROLLBACK]')", Wait);
        Assert.Equal("yes", (string?)await Browser.EvaluateAsync("window.sameDocument"));
        Assert.StartsWith("Critical metric 'errors'", await TextAsync("#verdict-reason"), StringComparison.Ordinal);
        Assert.Equal("HIGH", await TextAsync(".metric .badge"));
        Assert.Empty(sut);
    }

    [Fact]
    public async Task SloPage_SeededSilo_ShowsBudgetAlertRulesAndGatePerService()
    {
        var data = await fixture.QueryAsync("{ services { name gate { allowed } slos { name budgetRemaining alert } } }");
        var services = data.GetProperty("services").EnumerateArray().ToList();
        var checkout = services.Single(s => s.GetProperty("name").GetString() == "checkout");
        var availability = checkout.GetProperty("slos")[0];
        Assert.Equal("PAGE", availability.GetProperty("alert").GetString());

        var sut = await OpenAsync("/slos", "document.querySelectorAll('.slo').length === 2");

        Assert.Equal(["checkout", "search", "cart"], Strings(await Browser.EvaluateAsync("[...document.querySelectorAll('.service-head h2')].map(h => h.textContent)")));
        Assert.Equal(Percent(availability.GetProperty("budgetRemaining").GetDouble()), await TextAsync(".slo .big-number"));
        Assert.Equal("PAGE", await TextAsync(".slo .slo-head .badge"));
        Assert.Equal("Gate closed", await TextAsync(".service .service-head .badge"));
        Assert.Equal(7, (int)(await Browser.EvaluateAsync("document.querySelector('.slo svg.burn-chart').querySelectorAll('rect.bar').length"))!);
        Assert.Equal(["13.44× page", "5.60× page", "2.80× ticket", "0.93× ticket"],
            Strings(await Browser.EvaluateAsync("[...document.querySelector('.slo svg.burn-chart').querySelectorAll('.threshold-label')].map(t => t.textContent)")));
        Assert.Equal(["Page"], Strings(await Browser.EvaluateAsync("[...document.querySelectorAll('.slo')[0].querySelectorAll('tr.firing th')].map(t => t.textContent)")));
        await fixture.SaveScreenshotAsync("slos.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task ServiceSloPage_SeededSilo_ShowsRecentDeploymentsWithTheirPagesAsTheApiDoes()
    {
        var data = await fixture.QueryAsync("""
            { service(name: "checkout") { recentDeployments(first: 10) { id verdict { decision } provenanceMissing pagesAfter { id } } } }
            """);
        var expected = data.GetProperty("service").GetProperty("recentDeployments").EnumerateArray()
            .Select(d => $"{d.GetProperty("id").GetString()}={d.GetProperty("verdict").GetProperty("decision").GetString()}"
                + $"|{string.Join(",", d.GetProperty("pagesAfter").EnumerateArray().Select(p => p.GetProperty("id").GetString()))}")
            .ToList();

        var sut = await OpenAsync("/slos/checkout", "document.querySelectorAll('#oncall tbody tr').length > 0");

        var rows = await Browser.EvaluateAsync("""
            [...document.querySelectorAll('#oncall tbody tr')].map(r => r.dataset.id + '=' + r.querySelector('[data-decision]').dataset.decision
              + '|' + [...r.querySelectorAll('[data-page]')].map(p => p.dataset.page).join(','))
            """);
        Assert.Equal(expected, Strings(rows));
        Assert.Contains(expected, row => row.StartsWith("checkout-42=ROLLBACK", StringComparison.Ordinal));
        Assert.Equal("On call: recent deployments and the pages after them", await TextAsync("#oncall h2"));
        await fixture.SaveScreenshotAsync("oncall.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task DeliveryPage_SeededSilo_ShowsDoraMetricsTrendAndTeams()
    {
        var data = await fixture.QueryAsync("{ delivery(days: 30) { deployments performance changeFailureRate } deliveryTrend(weeks: 12) { isoWeek } }");
        var delivery = data.GetProperty("delivery");

        var sut = await OpenAsync("/delivery", "document.querySelectorAll('.kpi').length === 5");

        var heading = await TextAsync("#overall");
        Assert.Contains($"{delivery.GetProperty("deployments").GetInt32()} production deployments in the last 30 days", heading, StringComparison.Ordinal);
        Assert.Contains(Words(delivery.GetProperty("performance").GetString()!), heading, StringComparison.Ordinal);
        Assert.Equal(Percent(delivery.GetProperty("changeFailureRate").GetDouble()), await TextAsync("#kpi-changeFailureRate + .big-number"));
        Assert.Equal(5, (int)(await Browser.EvaluateAsync("document.querySelectorAll('.trend-grid svg.trend').length"))!);
        Assert.Equal(data.GetProperty("deliveryTrend").GetArrayLength(),
            (int)(await Browser.EvaluateAsync("(document.querySelector('.trend-grid svg.trend').getAttribute('aria-label').match(/W\\d\\d /g) || []).length"))!);
        Assert.Equal(["discovery", "payments", "shop"],
            Strings(await Browser.EvaluateAsync("[...document.querySelectorAll('table[aria-label=\"Delivery by team\"] tbody th')].map(t => t.textContent)")));
        await fixture.SaveScreenshotAsync("delivery.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task QueryPage_CtrlEnter_RunsTheEditedQuery()
    {
        var sut = await OpenAsync("/graphql", "document.querySelector('#result pre').textContent.includes('\"deployments\"')");
        await Browser.EvaluateAsync("""
            (() => { const e = document.getElementById('query'); e.value = '{ services { name } }'; e.focus(); })()
            """);

        await Browser.PressAsync("Enter", 13, "\r", modifiers: 2);

        await Browser.WaitForAsync("document.querySelector('#result pre').textContent.includes('\"services\"')", Wait);
        var result = JsonNode.Parse(await TextAsync("#result pre"))!;
        Assert.Equal(["cart", "checkout", "search"], result["data"]!["services"]!.AsArray().Select(s => (string)s!["name"]!).Order(StringComparer.Ordinal));
        Assert.StartsWith("HTTP 200 in ", await TextAsync("#status"), StringComparison.Ordinal);
        Assert.Equal("GraphQL · Verification", (string?)await Browser.EvaluateAsync("document.title"));
        await fixture.SaveScreenshotAsync("graphql.png");
        Assert.Empty(sut);
    }

    [Fact]
    public async Task Navigation_KeyboardOnly_ReachesLinksAndMovesFocusToTheNewPage()
    {
        var sut = await OpenAsync("/", "document.querySelector('#list tbody tr')");

        await Browser.PressAsync("Tab", 9);
        Assert.Equal("Skip to content", await ActiveAsync());
        await Browser.PressAsync("Tab", 9);
        await Browser.PressAsync("Tab", 9);
        await Browser.PressAsync("Tab", 9);
        Assert.Equal("SLOs", await ActiveAsync());
        await Browser.PressAsync("Enter", 13, "\r");

        await Browser.WaitForAsync("location.pathname === '/slos' && document.querySelector('.slo')", Wait);
        Assert.Equal("main", (string?)await Browser.EvaluateAsync("document.activeElement.id"));
        Assert.Equal("SLOs · Verification", (string?)await Browser.EvaluateAsync("document.title"));
        Assert.Empty(await Browser.EvaluateAsync("""
            [...document.querySelectorAll('select, input, textarea')].filter(e => !e.closest('label') && !document.querySelector(`label[for="${e.id}"]`)).map(e => e.name)
            """) as JsonArray ?? []);
        Assert.Empty(sut);
    }

    [Fact]
    public async Task EmptyStates_FreshSilo_TellTheUserWhatToDoNext()
    {
        var directory = Directory.CreateTempSubdirectory("verification-ui-empty-").FullName;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await using var silo = await UiFixture.StartSiloAsync(Path.Combine(directory, "empty.db"), timeout.Token);
            var seen = new List<string>();
            foreach (var path in new[] { "/", "/slos", "/delivery", "/deployments/nope" })
            {
                Browser.ClearErrors();
                await Browser.NavigateAsync(new Uri(silo.BaseAddress, path));
                seen.Add((string)(await Browser.WaitForAsync("document.querySelector('.empty h2')?.textContent", Wait))!);
                Assert.Empty(Browser.Errors);
                if (path == "/")
                {
                    await fixture.SaveScreenshotAsync("empty-deployments.png");
                }
            }

            Assert.Equal(["No deployments yet", "No SLOs yet", "No deployments yet", "No deployment “nope”"], seen);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Opens a UI path as a browser navigation, waits for <paramref name="ready"/>, and returns the page's errors list.</summary>
    private async Task<IReadOnlyList<string>> OpenAsync(string path, string ready)
    {
        Browser.ClearErrors();
        await Browser.NavigateAsync(new Uri(fixture.Silo.BaseAddress, path));
        await Browser.WaitForAsync(ready, Wait);
        return new ErrorsView(Browser);
    }

    private async Task<string> TextAsync(string selector, string property = "textContent") =>
        (string?)await Browser.EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)}).{property}")
        ?? throw new InvalidOperationException("No " + selector);

    private async Task<string?> ActiveAsync() => (string?)await Browser.EvaluateAsync("document.activeElement.textContent.trim()");

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(n => (string)n!).ToList();

    /// <summary>The UI's percent format (format.js <c>percent</c>): one decimal, a space, "%", "−" for minus.</summary>
    private static string Percent(double ratio, bool signed = false)
    {
        var value = ratio * 100;
        var text = (Math.Abs(value) >= 1000 ? Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("F1", CultureInfo.InvariantCulture)) + " %";
        return signed && value > 0 ? "+" + text : text.Replace('-', '−');
    }

    private static string Words(string value) => value[..1] + value[1..].Replace('_', ' ').ToLowerInvariant();

    /// <summary>The page's errors at the moment a test asserts on them (read late, so errors during the test count).</summary>
    private sealed class ErrorsView(Chromium browser) : IReadOnlyList<string>
    {
        public int Count => browser.Errors.Count;

        public string this[int index] => browser.Errors[index];

        public IEnumerator<string> GetEnumerator() => browser.Errors.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
