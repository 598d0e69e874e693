using Verification.Api.Slo;

namespace Verification.Api.Tests.Slo;

public sealed class YamlGuardTests
{
    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public void Check_NestedToTheLimit_Accepted()
    {
        Assert.Null(YamlGuard.Check(Nested(YamlGuard.MaxDepth), CancellationToken.None));
    }

    [Fact]
    public void Check_NestedOnePastTheLimit_RefusedWithPosition()
    {
        var sut = YamlGuard.Check(Nested(YamlGuard.MaxDepth + 1), CancellationToken.None);

        Assert.Equal("line 1, column 65: nested deeper than 64 levels", sut);
    }

    [Fact]
    public void Check_AliasesExpandingPastTheLimit_Refused()
    {
        // k0 has 3 nodes, each kN 1 + 2 × kN−1 (2^(N+2) − 1): k0 … k13 hold 65,521, k14's second alias passes 100,000.
        var yaml = "k0: &k0 [a,a]\n" + string.Concat(Enumerable.Range(1, 15).Select(i => $"k{i}: &k{i} [*k{i - 1},*k{i - 1}]\n"));

        var sut = YamlGuard.Check(yaml, CancellationToken.None);

        Assert.Equal("line 15, column 17: more than 100000 nodes with aliases expanded", sut);
    }

    [Fact]
    public void Check_SameAliasesInSeparateDocuments_CountedPerDocument()
    {
        var document = "k0: &k0 [a,a]\n" + string.Concat(Enumerable.Range(1, 13).Select(i => $"k{i}: &k{i} [*k{i - 1},*k{i - 1}]\n"));

        var sut = YamlGuard.Check(document + "---\n" + document, CancellationToken.None);

        Assert.Null(sut);
    }

    [Fact]
    public void Check_Cancelled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => YamlGuard.Check(string.Concat(Enumerable.Repeat("- a\n", 5_000)), cancellation.Token));
    }

    [Fact]
    public void Parse_DeepInput_ErrorOnYamlField()
    {
        var sut = OpenSloParser.Parse(Nested(40_000));

        var error = Assert.Single(sut.Errors);
        Assert.Equal("yaml", error.Path);
        Assert.Equal("line 1, column 65: nested deeper than 64 levels", error.Message);
    }

    [Theory]
    [InlineData("spec:\n  metadata:\n    name: [errors\n  spec:\n    a: 1\n")]
    [InlineData("spec:\n  ratioMetric:\n    : true\n    good:\n      metricSource:\n        type: Promet")]
    public void Parse_MalformedYamlYamlDotNetFailsOnWithoutYamlException_ErrorOnYamlField(string yaml)
    {
        // Found by the fuzz suite (corpus: openslo/unclosed-flow-sequence-in-block-mapping.yaml, empty-key-then-truncated.yaml).
        var sut = OpenSloParser.Parse(yaml);

        Assert.Equal("yaml", Assert.Single(sut.Errors).Path);
    }
}
