using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Providers.Prometheus;

namespace Verification.Silo.Tests.Providers.Prometheus;

public sealed class PromqlConventionTests
{
    [Fact]
    public void Substitute_Placeholders_DeploymentEscapedCohortLowercaseWindowSeconds()
    {
        var sut = PromqlConvention.Substitute(
            "rate(x{deployment_id=\"$deployment\",cohort=\"$cohort\"}[$window])", "a\"b", Cohort.Canary, TimeSpan.FromSeconds(30));

        Assert.Equal("rate(x{deployment_id=\"a\\\"b\",cohort=\"canary\"}[30s])", sut);
    }

    [Fact]
    public void ReadRatio_RolesSummedMissingRoleZero_Reading()
    {
        PromSample[] samples =
        [
            new(new Dictionary<string, string> { ["verification_role"] = "total", ["pod"] = "a" }, 60),
            new(new Dictionary<string, string> { ["verification_role"] = "total", ["pod"] = "b" }, 40),
        ];

        var sut = PromqlConvention.ReadRatio(samples);

        Assert.Equal(new CounterReading(0, 100), sut);
        Assert.Null(PromqlConvention.ReadRatio([]));
    }

    [Fact]
    public void ReadRatio_SeriesWithoutRole_Throws()
    {
        var e = Assert.Throws<PrometheusQueryException>(() =>
            PromqlConvention.ReadRatio([new PromSample(new Dictionary<string, string>(), 5)]));

        Assert.Contains("verification_role", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 100, 5, 150, 3, 50)]
    [InlineData(2, 100, 1, 30, 1, 30)]      // both reset: the new values count from zero
    [InlineData(0, 100, 80, 120, 20, 20)]   // count capped at the total
    public void Increase_Readings_Difference(double c0, double t0, double c1, double t1, long count, long total)
    {
        var sut = PromqlConvention.Increase(new CounterReading(c0, t0), new CounterReading(c1, t1));

        Assert.Equal((count, total), sut);
    }

    [Fact]
    public void Parse_ErrorEnvelope_ThrowsWithPrometheusMessage()
    {
        using var document = JsonDocument.Parse("""{"status":"error","errorType":"bad_data","error":"parse error: unclosed left parenthesis"}""");

        var e = Assert.Throws<PrometheusQueryException>(() => PrometheusQueryClient.Parse(document.RootElement, 400));

        Assert.Equal("Prometheus query failed (bad_data): parse error: unclosed left parenthesis", e.Message);
    }

    [Fact]
    public void Parse_VectorAndScalar_Samples()
    {
        using var vector = JsonDocument.Parse(
            """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1700000000.5,"2.5"]},{"metric":{},"value":[1700000000.5,"NaN"]}]}}""");
        using var scalar = JsonDocument.Parse("""{"status":"success","data":{"resultType":"scalar","result":[1700000000,"7"]}}""");

        var sut = PrometheusQueryClient.Parse(vector.RootElement, 200);

        Assert.Equal(2, sut.Count);
        Assert.Equal("1", sut[0].Labels["a"]);
        Assert.Equal(2.5, sut[0].Value);
        Assert.True(double.IsNaN(sut[1].Value));
        Assert.Equal([2.5], PromqlConvention.ReadValues(sut));
        Assert.Equal(7, Assert.Single(PrometheusQueryClient.Parse(scalar.RootElement, 200)).Value);
    }
}
