using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verification.Silo.Telemetry;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Telemetry;

/// <summary>Scrape gauges and the meter bridge: the one-line registration, the label allow-list and the series cap.</summary>
public sealed class ScrapeGaugesTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Gauge_MoreLabelSetsThanTheCap_ExportsTheFirstInLabelOrderAndCountsTheRest()
    {
        using var prometheus = Prometheus(maxSeries: 3);
        var sut = Gauges(prometheus, refreshSeconds: 0);
        sut.Gauge("verification_test_ratio", "Test.", ["service"],
            _ => ValueTask.FromResult<IEnumerable<Reading>>([.. new[] { "e", "d", "c", "b", "a" }.Select((s, i) => Reading.Of(i, s))]));

        var text = await WriteAsync(prometheus);

        Assert.Equal(
            ["verification_test_ratio{service=\"a\"} 4", "verification_test_ratio{service=\"b\"} 3", "verification_test_ratio{service=\"c\"} 2"],
            Lines(text, "verification_test_ratio"));
        Assert.Equal(["verification_metrics_series_dropped_total{metric=\"verification_test_ratio\"} 2"],
            Lines(text, "verification_metrics_series_dropped_total{metric=\"verification_test_"));
    }

    [Fact]
    public async Task Gauge_LabelSetNoLongerRead_DisappearsAtTheNextRefresh()
    {
        using var prometheus = Prometheus(maxSeries: 10);
        var sut = Gauges(prometheus, refreshSeconds: 0);
        string[] services = ["a", "b"];
        sut.Gauge("verification_test_ratio", "Test.", ["service"],
            _ => ValueTask.FromResult<IEnumerable<Reading>>([.. services.Select(s => Reading.Of(1, s))]));
        Assert.Equal(2, Lines(await WriteAsync(prometheus), "verification_test_ratio").Count);

        services = ["b"];

        Assert.Equal(["verification_test_ratio{service=\"b\"} 1"], Lines(await WriteAsync(prometheus), "verification_test_ratio"));
    }

    [Fact]
    public async Task Gauge_ScrapedWithinRefreshSeconds_ReusesTheLastReading()
    {
        using var prometheus = Prometheus(maxSeries: 10);
        var sut = Gauges(prometheus, refreshSeconds: 10);
        var reads = 0;
        sut.Gauge("verification_test_reads", "Test.", _ => ValueTask.FromResult<double?>(++reads));
        await WriteAsync(prometheus);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(["verification_test_reads 1"], Lines(await WriteAsync(prometheus), "verification_test_reads"));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["verification_test_reads 2"], Lines(await WriteAsync(prometheus), "verification_test_reads"));
    }

    [Fact]
    public void Gauge_DeploymentIdLabel_Throws()
    {
        using var prometheus = Prometheus(maxSeries: 10);
        var sut = Gauges(prometheus, refreshSeconds: 0);

        var error = Assert.Throws<ArgumentException>(() => sut.Gauge("verification_test_ratio", "Test.", ["service", "deployment_id"],
            _ => ValueTask.FromResult<IEnumerable<Reading>>([])));

        Assert.StartsWith("Metric 'verification_test_ratio' may not have the label 'deployment_id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MeterBridge_SiloCounterOverTheCap_KeepsAllowedLabelsAndCountsTheDropped()
    {
        using var prometheus = Prometheus(maxSeries: 3);
        using var meter = _services.GetRequiredService<IMeterFactory>().Create(SiloMetrics.MeterName);
        var sut = meter.CreateCounter<long>("verification.test.things", "{thing}", "Test.");

        foreach (var service in new[] { "a", "b", "c", "d", "e" })
        {
            sut.Add(2, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("deployment.id", service + "-1"));
        }

        var text = await WriteAsync(prometheus);
        Assert.Equal(
            ["verification_test_things_total{service=\"a\"} 2", "verification_test_things_total{service=\"b\"} 2", "verification_test_things_total{service=\"c\"} 2"],
            Lines(text, "verification_test_things_total"));
        Assert.Equal(["verification_metrics_series_dropped_total{metric=\"verification_test_things_total\"} 2"],
            Lines(text, "verification_metrics_series_dropped_total{metric=\"verification_test_"));
    }

    private SiloPrometheus Prometheus(int maxSeries) =>
        new(_services.GetRequiredService<IMeterFactory>(), Options.Create(new MetricsOptions { MaxSeriesPerMetric = maxSeries }));

    private ScrapeGauges Gauges(SiloPrometheus prometheus, double refreshSeconds) =>
        new(prometheus, Options.Create(new MetricsOptions { RefreshSeconds = refreshSeconds }), _time, NullLogger<ScrapeGauges>.Instance);

    private static async Task<string> WriteAsync(SiloPrometheus prometheus)
    {
        using var stream = new MemoryStream();
        await prometheus.WriteAsync(stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The samples whose line starts with <paramref name="prefix"/> (a name alone: that family's), in order.</summary>
    private static List<string> Lines(string text, string prefix) =>
        [.. text.Split('\n').Where(l => prefix.Contains('{', StringComparison.Ordinal)
            ? l.StartsWith(prefix, StringComparison.Ordinal)
            : l.StartsWith(prefix + "{", StringComparison.Ordinal) || l.StartsWith(prefix + " ", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
