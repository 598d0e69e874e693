using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;

namespace Verification.Silo.Tests.Ingestion.Otlp;

public sealed class MetricRoleIndexTests
{
    private static MetricDefinition Ratio(string? count, string? total) =>
        new("r", MetricKind.Ratio, Direction.Increase, false, null, new MetricSourceInput(CountMetric: count, TotalMetric: total));

    [Fact]
    public void RolesOf_ThresholdWithoutTotal_ShareAboveOnHistogram()
    {
        var sut = new MetricRoleIndex([Ratio("rpc.duration>0.25", null)], prometheusNames: false);

        var role = Assert.Single(sut.RolesOf("rpc.duration"));
        Assert.Equal((MetricRoleKind.ShareAbove, 0.25), (role.Kind, role.Threshold));
    }

    [Fact]
    public void RolesOf_ThresholdWithOtherTotal_CountAboveAndTotalCounter()
    {
        var sut = new MetricRoleIndex([Ratio("rpc.duration>1e-3", "rpc.calls")], prometheusNames: false);

        Assert.Equal(MetricRoleKind.CountAbove, Assert.Single(sut.RolesOf("rpc.duration")).Kind);
        Assert.Equal(MetricRoleKind.Total, Assert.Single(sut.RolesOf("rpc.calls")).Kind);
    }

    [Fact]
    public void RolesOf_PrometheusNames_SanitizedAndTotalSuffix()
    {
        var sut = new MetricRoleIndex([Ratio("http.server.errors", "http.server.requests")], prometheusNames: true);

        Assert.Equal(MetricRoleKind.Count, Assert.Single(sut.RolesOf("http_server_errors_total")).Kind);
        Assert.Equal(MetricRoleKind.Total, Assert.Single(sut.RolesOf("http_server_requests")).Kind);
        Assert.Empty(sut.RolesOf("http.server.errors_total"));
    }

    [Theory]
    [InlineData("latency>abc")]
    [InlineData(">0.5")]
    [InlineData("latency>")]
    [InlineData("latency>Infinity")]
    public void TryParseThreshold_NotAThreshold_False(string text)
    {
        Assert.False(MetricRoleIndex.TryParseThreshold(text, out _, out _));
    }
}
