using Verification.GraphQL.Language;
using Verification.GraphQL.Validation;
using Verification.GraphQL.Validation.Rules;

namespace Verification.GraphQL.Tests.Validation;

public sealed class ValidatorTests
{
    [Fact]
    public void Validate_EveryRule_HasDistinctGraphQLJsName()
    {
        var names = Validator.SpecifiedRules.Select(f => f().Name).ToList();
        Assert.Equal(26, names.Distinct().Count());
        Assert.Contains("OverlappingFieldsCanBeMerged", names);
    }

    [Fact]
    public void Validate_ErrorsCarryRuleNameAndCode()
    {
        var sut = Validator.Validate(TestSchema.Schema, Parser.Parse("query($a: Int) { nope }"));
        Assert.Equal(["FieldsOnCorrectType", "NoUnusedVariables"], sut.Select(e => e.Rule).Order(StringComparer.Ordinal));
        Assert.All(sut, e => Assert.Equal(ErrorCodes.ValidationFailed, e.Code));
    }

    [Fact]
    public void ToJson_WithRuleNames_WritesExtensionsRule()
    {
        var errors = Validator.Validate(TestSchema.Schema, Parser.Parse("{ nope }"));
        var sut = new ExecutionResult(null, false, errors);
        Assert.Equal(
            """{"errors":[{"message":"Cannot query field \"nope\" on type \"Query\". Did you mean \"node\"?","locations":[{"line":1,"column":3}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED","rule":"FieldsOnCorrectType"}}]}""",
            sut.ToJson(includeRuleNames: true));
    }

    [Fact]
    public void Validate_ManyErrors_StopsAtLimit()
    {
        var query = "{ " + string.Join(" ", Enumerable.Range(0, 20).Select(i => $"f{i}")) + " }";
        var sut = Validator.Validate(TestSchema.Schema, Parser.Parse(query), null, 5);
        Assert.Equal(6, sut.Count);
        Assert.Equal("Too many validation errors, error limit reached. Validation aborted.", sut[^1].Message);
    }

    [Fact]
    public void Validate_SingleRule_OnlyThatRuleRuns()
    {
        var sut = Validator.Validate(TestSchema.Schema, Parser.Parse("query($a: Int) { nope }"), [() => new NoUnusedVariablesRule()]);
        Assert.Equal("Variable \"$a\" is never used.", Assert.Single(sut).Message);
    }

    [Fact]
    public void Validate_FragmentCycleThroughThree_ReportsPath()
    {
        var sut = Validator.Validate(
            TestSchema.Schema,
            Parser.Parse("{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }"),
            [() => new NoFragmentCyclesRule()]);
        var error = Assert.Single(sut);
        Assert.Equal("Cannot spread fragment \"A\" within itself via \"B\", \"C\".", error.Message);
        Assert.Equal([new SourceLocation(1, 32), new SourceLocation(1, 61), new SourceLocation(1, 90)], error.Locations);
    }
}
