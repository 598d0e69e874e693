using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Dashboards;

/// <summary>
/// GET /v1/services/{name}/prometheus-rules against the silo in process, and the checked-in example
/// (dashboards/prometheus/rules) under Prometheus's own tools: <c>promtool check rules</c> and the
/// <c>promtool test rules</c> unit tests that prove each alert fires and resolves at the right minute.
/// </summary>
public sealed class PrometheusRulesTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private static readonly string Rules = Path.Combine(Promtool.DashboardsDirectory(), "prometheus", "rules");
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task PrometheusRules_ReadmeSlo_EqualTheCheckedInExample()
    {
        await ApplyAsync(await File.ReadAllTextAsync(Path.Combine(Rules, "checkout.openslo.yaml")));

        using var sut = await _http.GetAsync("/v1/services/checkout/prometheus-rules");

        Assert.Equal(HttpStatusCode.OK, sut.StatusCode);
        Assert.Equal("application/yaml", sut.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Rules, "checkout.rules.yml")), await sut.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PrometheusRules_WithTeam_LabelsEverySeriesAndPassesPromtool()
    {
        await ApplyAsync((await File.ReadAllTextAsync(Path.Combine(Rules, "checkout.openslo.yaml"))).Replace("service: checkout", "service: team-o'brien"));

        var sut = await _http.GetStringAsync("/v1/services/team-o'brien/prometheus-rules?team=pay%27ments");

        var records = sut.Split('\n').Count(l => l.StartsWith("      - record: ", StringComparison.Ordinal));
        Assert.Equal(19, records);
        Assert.Equal(records, sut.Split('\n').Count(l => l == "          team: 'pay''ments'"));
        var file = Path.Combine(Directory.CreateTempSubdirectory("verification-rules-").FullName, "team.rules.yml");
        await File.WriteAllTextAsync(file, sut);
        var (code, output) = await Promtool.RunAsync(Path.GetDirectoryName(file)!, "check", "rules", file);
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 21 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrometheusRules_ServiceWithoutSlos_Answers404Problem()
    {
        using var sut = await _http.GetAsync("/v1/services/nothing-here/prometheus-rules");

        Assert.Equal(HttpStatusCode.NotFound, sut.StatusCode);
        Assert.Equal("application/problem+json", sut.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PrometheusRules_BlankTeam_Answers400NamingTheField()
    {
        await ApplyAsync(await File.ReadAllTextAsync(Path.Combine(Rules, "checkout.openslo.yaml")));

        using var sut = await _http.GetAsync("/v1/services/checkout/prometheus-rules?team=%20");

        Assert.Equal(HttpStatusCode.BadRequest, sut.StatusCode);
        Assert.Equal("team", JsonDocument.Parse(await sut.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task CheckedInRules_Promtool_CheckPasses()
    {
        var (code, output) = await Promtool.RunAsync(Rules, "check", "rules", "checkout.rules.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 21 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckedInRules_PromtoolUnitTests_EachAlertFiresAndResolvesAtTheExpectedMinute()
    {
        var (code, output) = await Promtool.RunAsync(Path.Combine(Promtool.DashboardsDirectory(), "prometheus"),
            "test", "rules", "tests/checkout-availability.test.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private async Task ApplyAsync(string yaml)
    {
        using var response = await _http.PostAsync("/v1/slos", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
