using Verification.GraphQL.Language;

namespace Verification.GraphQL.Tests.Conformance;

[Collection(ConformanceCollection.Name)]
public sealed class PrinterConformanceTests(ConformanceFixture fixture)
{
    [Fact]
    public void Print_EveryParsableCorpusDocument_SameTextAsGraphQLJsPrint()
    {
        var answers = fixture.Answer["validation"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<int>());
        var mismatches = new List<string>();
        var compared = 0;
        foreach (var (id, query) in fixture.ValidationCorpus)
        {
            if (answers[id]!["printed"]?.GetValue<string>() is not { } theirs)
            {
                continue;
            }

            compared++;
            var ours = Printer.Print(Parser.Parse(query));
            if (ours != theirs)
            {
                mismatches.Add($"line {id}: {query}\n  graphql-js: {theirs}\n  ours:       {ours}");
            }
        }

        Assert.True(compared >= 300, $"only {compared} documents compared");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Print_TypeSystemDocument_SameTextAsGraphQLJsPrint()
    {
        var sdl = fixture.Answer["sdl"]!;
        var sut = Parser.Parse(sdl["source"]!.GetValue<string>());
        Assert.Equal(sdl["printed"]!.GetValue<string>(), Printer.Print(sut));
    }
}
