using Verification.GraphQL.Execution;
using Verification.GraphQL.Introspection;
using Verification.GraphQL.Language;
using Verification.GraphQL.Types;
using Verification.GraphQL.Validation;
using Verification.GraphQL.Validation.Rules;

namespace Verification.GraphQL.Tests.Execution;

public sealed class ExecutionLimitsTests
{
    private static string Repeat(string item, int count) => string.Join(" ", Enumerable.Repeat(item, count));

    [Fact]
    public async Task ExecuteAsync_AliasedIntrospectionThroughFragments_LimitExceededBeforeRunning()
    {
        // Issue 11: 150 aliased __schema { ...S }, S with 150 aliased types { … } — 24 s and 292 MB before.
        var aliases = string.Join(" ", Enumerable.Range(0, 150).Select(i => $"s{i}: __schema {{ ...S }}"));
        var types = string.Join(" ", Enumerable.Range(0, 150).Select(i => $"t{i}: types {{ name fields {{ name type {{ name kind }} }} }}"));
        var sut = new GraphQLExecutor(TestSchema.Schema);

        var result = await sut.ExecuteAsync(new GraphQLRequest($"{{ {aliases} }} fragment S on __Schema {{ {types} }}"));

        Assert.False(result.HasData);
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCodes.LimitExceeded, error.Code);
        Assert.StartsWith($"The operation costs more than {GraphQLExecutorOptions.DefaultMaxCost} ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_FullIntrospection_WithinDefaultCost()
    {
        var sut = new GraphQLExecutor(TestSchema.Schema);

        var result = await sut.ExecuteAsync(new GraphQLRequest(IntrospectionQuery.Full));

        Assert.Empty(result.Errors);
        Assert.True(result.HasData);
    }

    [Theory]
    [InlineData("{ a: items(first: 100) { v } b: items(first: 100) { v } }", (1 + (100 * 1)) * 2)]
    [InlineData("{ items(first: 7) { v w } }", 1 + (7 * 2))]
    [InlineData("{ items { v } }", 1 + (10 * 1))]
    [InlineData("query($n: Int) { items(first: $n) { v } }", 1 + (3 * 1))]
    [InlineData("{ ...F ...F } fragment F on Query { costly }", 2 * 50)]
    [InlineData("{ plain { v } }", 1 + (10 * 10 * 1))]
    public async Task ExecuteAsync_CostJustAboveLimit_RefusedAndAtLimit_Runs(string query, int cost)
    {
        var itemType = new ObjectType("Item");
        itemType.Field("v", ScalarType.Int, _ => 1);
        itemType.Field("w", ScalarType.Int, _ => 2);
        var root = new ObjectType("Query");
        root.Field("items", itemType.List(), ctx => Enumerable.Range(0, ctx.GetArgument("first", 10)).Cast<object?>().ToList())
            .Argument("first", ScalarType.Int, 10)
            .Costs(1, "first");
        root.Field("plain", itemType.List().List(), _ => new List<object?>());
        root.Field("costly", ScalarType.Int, _ => 0).Costs(50);
        var schema = new SchemaBuilder().Query(root).Build();
        var variables = new Dictionary<string, object?> { ["n"] = 3 };
        var atLimit = new GraphQLExecutor(schema, new GraphQLExecutorOptions { MaxCost = cost });
        var belowCost = new GraphQLExecutor(schema, new GraphQLExecutorOptions { MaxCost = cost - 1 });

        var ran = await atLimit.ExecuteAsync(new GraphQLRequest(query, null, variables));
        var refused = await belowCost.ExecuteAsync(new GraphQLRequest(query, null, variables));

        Assert.Empty(ran.Errors);
        Assert.Equal(ErrorCodes.LimitExceeded, Assert.Single(refused.Errors).Code);
    }

    [Fact]
    public async Task ExecuteAsync_ResponseLargerThanLimit_RequestErrorNoData()
    {
        var root = new ObjectType("Query");
        // The list is longer than its cost estimate (default 10 items): only the response-size limit can stop it.
        root.Field("many", ScalarType.Int.List(), _ => Enumerable.Range(0, 1_000).Cast<object?>().ToList());
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(root).Build(), new GraphQLExecutorOptions { MaxResultValues = 999 });

        var refused = await sut.ExecuteAsync(new GraphQLRequest("{ many }"));
        var fits = await new GraphQLExecutor(sut.Schema, new GraphQLExecutorOptions { MaxResultValues = 1_001 })
            .ExecuteAsync(new GraphQLRequest("{ many }"));

        Assert.False(refused.HasData);
        Assert.Equal(ErrorCodes.LimitExceeded, Assert.Single(refused.Errors).Code);
        Assert.Empty(fits.Errors);
    }

    [Fact]
    public async Task ExecuteAsync_ClientGoneMidExecution_StopsResolvingFurtherFields()
    {
        using var cancellation = new CancellationTokenSource();
        var resolved = 0;
        var item = new ObjectType("Item");
        item.Field("v", ScalarType.Int, _ =>
        {
            if (Interlocked.Increment(ref resolved) == 5)
            {
                cancellation.Cancel();
            }

            return 1;
        });
        var root = new ObjectType("Query");
        root.Field("items", item.List(), _ => Enumerable.Range(0, 1_000).Cast<object?>().ToList());
        var sut = new GraphQLExecutor(new SchemaBuilder().Query(root).Build());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => sut.ExecuteAsync(new GraphQLRequest("{ items { v } }"), null, cancellation.Token));

        Assert.Equal(5, resolved);
    }

    [Fact]
    public void Validate_FifteenThousandSameField_OneComparison()
    {
        // Issue 11: 14,980 × id in one selection set cost ≈ 4 s of pairwise comparisons.
        var document = Parser.Parse($"{{ node(id: \"1\") {{ {Repeat("id", 14_980)} }} }}", ParserOptions.Default with { MaxTokens = 100_000 });
        var sut = new OverlappingFieldsCanBeMergedRule();

        var errors = Validator.Validate(TestSchema.Schema, document, [() => sut]);

        Assert.Empty(errors);
        // One comparison stands for all 112 million pairs of the alike fields (and one for the node field itself).
        Assert.Equal(1, sut.Comparisons);
    }

    [Fact]
    public void Validate_ManyAlikeFieldsAndOneConflicting_ReportsEachConflictingPairInOrder()
    {
        var document = Parser.Parse($"{{ node(id: \"1\") {{ {Repeat("x: id", 3)} x: __typename {Repeat("x: id", 2)} }} }}");

        var sut = Validator.Validate(TestSchema.Schema, document, [() => new OverlappingFieldsCanBeMergedRule()]);

        // Pairs (0,3), (1,3), (2,3), (3,4), (3,5) in graphql-js order.
        Assert.Equal(5, sut.Count);
        Assert.Equal(
            ["\"id\" and \"__typename\"", "\"id\" and \"__typename\"", "\"id\" and \"__typename\"", "\"__typename\" and \"id\"", "\"__typename\" and \"id\""],
            sut.Select(e => e.Message["Fields \"x\" conflict because ".Length..e.Message.IndexOf(" are different", StringComparison.Ordinal)]));
        Assert.Equal([1, 1, 1, 1, 1], sut.Select(e => e.Locations[0].Line));
        Assert.Equal([19, 25, 31, 37, 37], sut.Select(e => e.Locations[0].Column));
    }

    [Fact]
    public void Validate_QuadraticDistinctSubselections_RefusedPastComparisonBudget()
    {
        // 700 fields with one response key and distinct arguments: 244,650 comparisons, past the budget.
        var fields = Enumerable.Range(0, 700).Select(i => $"p: node(id: \"{i}\") {{ id }}");
        var document = Parser.Parse("{ " + string.Join(" ", fields) + " }", ParserOptions.Default with { MaxTokens = 100_000 });

        var sut = Validator.Validate(TestSchema.Schema, document, [() => new OverlappingFieldsCanBeMergedRule()]);

        Assert.Contains(sut, e => e.Message.StartsWith(
            $"The document needs more than {OverlappingFieldsCanBeMergedRule.MaxComparisons} field comparisons", StringComparison.Ordinal));
    }
}
