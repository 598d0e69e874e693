using System.Text.Json;
using Verification.Analysis.Statistics;

namespace Verification.Analysis.Tests.Statistics;

/// <summary>
/// Reference values from R 4.2.2 <c>wilcox.test(x, y, conf.int = TRUE, correct = TRUE, exact = …)</c>, produced by
/// Fixtures/make_wilcox_fixtures.R (seeded) into Fixtures/wilcox_fixtures.json.
/// </summary>
public sealed class MannWhitneyTests
{
    private const double RelativeTolerance = 1e-6;

    private static readonly Lazy<IReadOnlyDictionary<int, JsonElement>> Fixtures = new(Load);

    public static TheoryData<int> Ids()
    {
        var data = new TheoryData<int>();
        foreach (var id in Fixtures.Value.Keys.Order())
        {
            data.Add(id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Test_RFixture_MatchesWilcoxTest(int id)
    {
        var fixture = Fixtures.Value[id];
        var x = Doubles(fixture.GetProperty("x"));
        var y = Doubles(fixture.GetProperty("y"));
        var method = fixture.GetProperty("exact").ValueKind switch
        {
            JsonValueKind.True => RankSumMethod.Exact,
            JsonValueKind.False => RankSumMethod.Normal,
            _ => RankSumMethod.Auto,
        };

        var sut = MannWhitney.Test(x, y, fixture.GetProperty("conf").GetDouble(), method);

        if (fixture.TryGetProperty("error", out _))
        {
            AssertDocumentedBehaviourWhereRFails(fixture, x, y, sut);
            return;
        }

        Assert.Equal(fixture.GetProperty("method").GetString()!.Contains("exact", StringComparison.Ordinal), sut.IsExact);
        AssertClose(fixture.GetProperty("statistic").GetDouble(), sut.Statistic, "statistic");
        AssertClose(fixture.GetProperty("p").GetDouble(), sut.PValue, "p");
        AssertClose(fixture.GetProperty("estimate").GetDouble(), sut.Estimate, "estimate");
        AssertClose(fixture.GetProperty("lo").GetDouble(), sut.CiLow, "lo");
        AssertClose(fixture.GetProperty("hi").GetDouble(), sut.CiHigh, "hi");
    }

    [Fact]
    public void Test_FixtureSet_CoversSizesTiesExactAndDegenerateCases()
    {
        var all = Fixtures.Value.Values.ToList();

        Assert.True(all.Count >= 200);
        Assert.Contains(all, f => f.GetProperty("x").GetArrayLength() == 5000);
        Assert.Contains(all, f => f.GetProperty("x").GetArrayLength() == 2 || f.GetProperty("y").GetArrayLength() == 2);
        Assert.Contains(all, f => f.TryGetProperty("method", out var m) && m.GetString()!.Contains("exact", StringComparison.Ordinal));
        Assert.Equal(4, all.Count(f => f.TryGetProperty("error", out _)));
    }

    [Fact]
    public void Test_ShiftedSamples_EstimateIsPositiveShift()
    {
        double[] baseline = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
        var canary = baseline.Select(v => v + 100).ToArray();

        var sut = MannWhitney.Test(canary, baseline, 0.95, RankSumMethod.Exact);

        Assert.True(sut.IsExact);
        Assert.Equal(100, sut.Estimate);
        Assert.Equal(100, sut.Statistic);
    }

    [Fact]
    public void Test_NaNInSample_Throws()
    {
        Assert.Throws<ArgumentException>(() => MannWhitney.Test([1.0, double.NaN], [1.0, 2.0]));
    }

    /// <summary>
    /// R stops with an error in these cases (see <see cref="MannWhitney.Test"/>): we return p as R's test without the
    /// interval (or 1 when R's is NaN because every observation is tied) and the only possible shift as the estimate.
    /// </summary>
    private static void AssertDocumentedBehaviourWhereRFails(JsonElement fixture, double[] x, double[] y, RankSumResult sut)
    {
        var rp = fixture.GetProperty("p");
        var expectedP = rp.ValueKind == JsonValueKind.Null ? 1.0 : rp.GetDouble();
        var onlyShift = x.Min() - y.Max();

        AssertClose(expectedP, sut.PValue, "p");
        Assert.Equal(x.Max() - y.Min(), onlyShift);
        Assert.Equal(onlyShift, sut.Estimate);
        Assert.Equal(onlyShift, sut.CiLow);
        Assert.Equal(onlyShift, sut.CiHigh);
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        var tolerance = Math.Max(Math.Abs(expected) * RelativeTolerance, 1e-12);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static IReadOnlyDictionary<int, JsonElement> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Statistics", "Fixtures", "wilcox_fixtures.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("id").GetInt32(), e => e.Clone());
    }
}
