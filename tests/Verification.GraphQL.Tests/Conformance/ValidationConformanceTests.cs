using Verification.GraphQL.Language;
using Verification.GraphQL.Validation;

namespace Verification.GraphQL.Tests.Conformance;

[Collection(ConformanceCollection.Name)]
public sealed class ValidationConformanceTests(ConformanceFixture fixture)
{
    private static (bool SyntaxError, SortedSet<string> Rules) Ours(string query)
    {
        DocumentNode document;
        try
        {
            document = Parser.Parse(query);
        }
        catch (GraphQLSyntaxException)
        {
            return (true, []);
        }

        var errors = Validator.Validate(TestSchema.Schema, document, null, 1000);
        return (false, new SortedSet<string>(errors.Select(e => e.Rule!), StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_Corpus_HasAtLeast300Documents()
    {
        Assert.True(fixture.ValidationCorpus.Count >= 300, $"corpus has {fixture.ValidationCorpus.Count} documents");
    }

    [Fact]
    public void Validate_EveryCorpusDocument_SameRulesFireAsGraphQLJs()
    {
        var answers = fixture.Answer["validation"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<int>());
        var mismatches = new List<string>();
        foreach (var (id, query) in fixture.ValidationCorpus)
        {
            var js = answers[id]!;
            var jsSyntax = js["syntaxError"]!.GetValue<bool>();
            var jsRules = new SortedSet<string>(js["rules"]!.AsArray().Select(r => r!.GetValue<string>()), StringComparer.Ordinal);
            var (syntax, rules) = Ours(query);
            if (syntax != jsSyntax || !rules.SetEquals(jsRules))
            {
                mismatches.Add($"line {id}: {query}\n  graphql-js: {(jsSyntax ? "syntax error" : string.Join(",", jsRules))} "
                    + $"{string.Join(" | ", js["messages"]!.AsArray().Select(m => m!.GetValue<string>()))}\n"
                    + $"  ours:       {(syntax ? "syntax error" : string.Join(",", rules))}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Validate_EveryCorpusDocument_SameMessagesAndLocationsAsGraphQLJs()
    {
        var answers = fixture.Answer["validation"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<int>());
        var mismatches = new List<string>();
        foreach (var (id, query) in fixture.ValidationCorpus)
        {
            List<string> ours;
            try
            {
                ours = Validator.Validate(TestSchema.Schema, Parser.Parse(query), null, 1000)
                    .Select(e => Describe(e.Message, e.Locations))
                    .Order(StringComparer.Ordinal)
                    .ToList();
            }
            catch (GraphQLSyntaxException e)
            {
                ours = [Describe(e.Message, [e.Location])];
            }

            var theirs = answers[id]!["messages"]!.AsArray().Select(m => m!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
            if (!ours.SequenceEqual(theirs))
            {
                mismatches.Add($"line {id}: {query}\n  graphql-js: {string.Join(" | ", theirs)}\n  ours:       {string.Join(" | ", ours)}");
            }
        }

        Assert.True(mismatches.Count == 0, mismatches.Count + " differ:\n" + string.Join("\n", mismatches));
    }

    private static string Describe(string message, IEnumerable<SourceLocation> locations) =>
        $"{message} @ {string.Join(", ", locations.Select(l => $"{l.Line}:{l.Column}"))}";

    [Fact]
    public void Validate_Corpus_CoversEveryRuleSeveralTimes()
    {
        var counts = fixture.Answer["validation"]!.AsArray()
            .SelectMany(a => a!["rules"]!.AsArray().Select(r => r!.GetValue<string>()))
            .GroupBy(r => r)
            .ToDictionary(g => g.Key, g => g.Count());
        var rules = Validator.SpecifiedRules.Select(f => f().Name).ToList();
        var thin = rules.Where(r => counts.GetValueOrDefault(r) < 3).Select(r => $"{r}: {counts.GetValueOrDefault(r)}").ToList();
        Assert.True(thin.Count == 0, "rules covered fewer than 3 times: " + string.Join(", ", thin));
    }
}
