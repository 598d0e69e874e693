using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Verification.Silo.Tests.Dashboards;

/// <summary>
/// The provisioned Grafana dashboards (dashboards/grafana/*.json): current schema, the datasource, service and team
/// variables, and every panel query parsed by promtool (each becomes a recording rule of a scratch rule file, with
/// Grafana's variables replaced by values).
/// </summary>
public sealed partial class GrafanaDashboardsTests
{
    private static readonly string Grafana = Path.Combine(Promtool.DashboardsDirectory(), "grafana");

    public static TheoryData<string> Dashboards => new(Directory.GetFiles(Grafana, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Dashboard_Variables_DatasourceServiceAndTeam(string file)
    {
        using var sut = JsonDocument.Parse(File.ReadAllText(Path.Combine(Grafana, file)));

        var root = sut.RootElement;
        Assert.Equal(41, root.GetProperty("schemaVersion").GetInt32());
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("type").GetString());
        Assert.Equal("datasource", variables["datasource"]);
        Assert.Equal("query", variables["service"]);
        Assert.Equal("query", variables["team"]);
        Assert.All(Panels(root).Where(p => p.GetProperty("type").GetString() != "row"),
            p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Dashboard_EveryPanelQuery_ParsesWithPromtool(string file)
    {
        using var sut = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Grafana, file)));
        var expressions = Panels(sut.RootElement)
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();

        var rules = new StringBuilder("groups:\n  - name: panels\n    rules:\n");
        for (var i = 0; i < expressions.Count; i++)
        {
            rules.Append("      - record: panel_").Append(i).Append("\n        expr: ").Append(JsonSerializer.Serialize(Substitute(expressions[i]))).Append('\n');
        }

        var directory = Directory.CreateTempSubdirectory("verification-panels-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "panels.yml"), rules.ToString());
        var (code, output) = await Promtool.RunAsync(directory, "check", "rules", "panels.yml");

        Assert.True(code == 0, output + "\n" + rules);
        Assert.Contains($"SUCCESS: {expressions.Count} rules found", output, StringComparison.Ordinal);
        Assert.True(expressions.Count >= 6, $"{file} has {expressions.Count} queries");
    }

    /// <summary>Grafana's variables as values: multi-value filters become regexes, intervals durations.</summary>
    private static string Substitute(string expr) =>
        Variable().Replace(expr, m => m.Groups["name"].Value switch
        {
            "__rate_interval" or "__interval" => "5m",
            "__range" => "1h",
            _ => "checkout|search",
        });

    private static IEnumerable<JsonElement> Panels(JsonElement root) =>
        root.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.TryGetProperty("panels", out var nested) ? nested.EnumerateArray().Prepend(p) : [p]);

    [GeneratedRegex(@"\$\{?(?<name>\w+)(?::\w+)?\}?")]
    private static partial Regex Variable();
}
