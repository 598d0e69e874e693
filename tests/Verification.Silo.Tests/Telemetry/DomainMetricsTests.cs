using System.Globalization;
using System.Text.RegularExpressions;
using Verification.Silo.Telemetry;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Tests.Ui;

namespace Verification.Silo.Tests.Telemetry;

/// <summary>The domain series on /metrics after the UI scenario (README, "Metrics").</summary>
public sealed partial class DomainMetricsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Metrics_AfterScenario_ExposeDeploymentSloVerdictAndDeliverySeries()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var sut = Parse(await _http.GetStringAsync("/metrics"));

        Assert.Equal(1, sut["""verification_deployments_active{service="search",team="discovery",environment="production",decision="PROMOTE"}"""]);
        Assert.Equal(1, sut["""verification_deployments_completed_total{service="checkout",team="payments",environment="production",status="ROLLED_BACK"}"""]);
        Assert.Equal(1, sut["""verification_deployments_completed_total{service="checkout",team="payments",environment="production",status="PROMOTED"}"""]);
        Assert.Equal(1, sut["""verification_deployments_completed_total{service="cart",team="shop",environment="production",status="PROMOTED"}"""]);
        Assert.Equal(2, sut["""verification_verdicts_total{decision="PENDING",service="checkout"}"""]);
        Assert.Equal(1, sut["""verification_verdicts_total{decision="ROLLBACK",service="checkout"}"""]);
        Assert.Equal(1, sut["""verification_verdicts_total{decision="PROMOTE",service="cart"}"""]);
        Assert.Equal(0.999, sut["""verification_slo_objective_ratio{service="checkout",team="payments",slo="availability"}"""]);
        Assert.Equal(1, sut["""verification_slo_alert{service="checkout",team="payments",slo="availability",severity="page"}"""]);
        Assert.Equal(0, sut["""verification_slo_alert{service="search",team="discovery",slo="latency",severity="page"}"""]);
        Assert.Equal(20, Math.Round(sut["""verification_slo_burn_rate{service="checkout",team="payments",slo="availability",window="1h"}"""], 9));
        Assert.Equal(7, sut.Keys.Count(k => k.StartsWith("""verification_slo_burn_rate{service="checkout",""", StringComparison.Ordinal)));
        Assert.Equal(4, sut["""verification_delivery_deployments{service="",team=""}"""]);
        Assert.Equal(2, sut["""verification_delivery_deployments{service="",team="payments"}"""]);
        Assert.Equal(1, sut["""verification_delivery_change_failure_ratio{service="checkout",team="payments"}"""]);
        Assert.Equal(1, sut["""verification_delivery_performance_level{service="cart",team="shop"}"""]);
        Assert.True(sut["verification_judge_duration_seconds_count"] > 0);
    }

    [Fact]
    public async Task Metrics_AfterScenario_LabelOnlyBoundedDimensions()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var text = await _http.GetStringAsync("/metrics");

        var labels = Series().Matches(text).SelectMany(m => Label().Matches(m.Groups["labels"].Value).Select(l => l.Groups["name"].Value))
            .Where(l => l != "le").ToHashSet(StringComparer.Ordinal);
        Assert.Subset(MetricLabels.Allowed.ToHashSet(StringComparer.Ordinal), labels);
        foreach (var unbounded in new[] { "checkout-41", "checkout-42", "search-7", "v41", "v42", "9f2c4e1a7b3d5f60" })
        {
            Assert.DoesNotContain($"\"{unbounded}\"", text, StringComparison.Ordinal);
        }
    }

    /// <summary>"name{labels}" → value of every verification_ sample.</summary>
    internal static Dictionary<string, double> Parse(string text) =>
        text.Split('\n').Where(l => l.StartsWith("verification_", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    [GeneratedRegex("""^(?<name>verification_[a-z_]+)\{(?<labels>[^}]*)\} """, RegexOptions.Multiline)]
    private static partial Regex Series();

    [GeneratedRegex("""(?<name>[a-z_]+)="[^"]*" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Label();
}
