using Verification.GraphQL.Execution;

namespace Verification.GraphQL.Tests.Execution;

public sealed class ExecutorTests
{
    private static async Task<string> Run(string query, IReadOnlyDictionary<string, object?>? variables = null, string? operationName = null)
    {
        var sut = new GraphQLExecutor(TestSchema.Schema);
        var result = await sut.ExecuteAsync(new GraphQLRequest(query, operationName, variables));
        return result.ToJson();
    }

    [Fact]
    public async Task ExecuteAsync_SimpleQueryWithDefaultArgument_ReturnsData()
    {
        Assert.Equal("""{"data":{"hello":"Hello, world!","h2":"Hello, Bob!"}}""", await Run("{ hello h2: hello(name: \"Bob\") }"));
    }

    [Fact]
    public async Task ExecuteAsync_NonNullFieldThrows_NullPropagatesToData()
    {
        Assert.Equal(
            """{"data":null,"errors":[{"message":"Non-null boom","locations":[{"line":1,"column":9}],"path":["errorNonNull"],"extensions":{"code":"BOOM"}}]}""",
            await Run("{ hello errorNonNull }"));
    }

    [Fact]
    public async Task ExecuteAsync_ListOfNonNullWithNull_ListBecomesNull()
    {
        Assert.Equal(
            """{"data":{"listWithNulls":[1,null,3],"listOfNonNullWithNull":null},"errors":[{"message":"Cannot return null for non-nullable field Query.listOfNonNullWithNull.","locations":[{"line":1,"column":17}],"path":["listOfNonNullWithNull",1],"extensions":{"code":"INVALID_RESULT"}}]}""",
            await Run("{ listWithNulls listOfNonNullWithNull }"));
    }

    [Fact]
    public async Task ExecuteAsync_AbstractTypesAndFragments_ResolveByTypename()
    {
        Assert.Equal(
            """{"data":{"pets":[{"__typename":"Dog","name":"Rex","barkVolume":7},{"__typename":"Cat","name":"Tom","lives":9},{"__typename":"Dog","name":"Fido","barkVolume":null},{"__typename":"Cat","name":null,"lives":3}]}}""",
            await Run("{ pets { __typename ... on Named { name } ... on Dog { barkVolume } ...C } } fragment C on Cat { lives }"));
    }

    [Fact]
    public async Task ExecuteAsync_VariablesCoerced_UsesValues()
    {
        var variables = new Dictionary<string, object?> { ["a"] = 2L, ["f"] = new Dictionary<string, object?> { ["minAge"] = 40L } };
        Assert.Equal(
            """{"data":{"add":3,"people":[{"name":"Alan"}]}}""",
            await Run("query Q($a: Int!, $f: PersonFilter) { add(a: $a) people(filter: $f) { name } }", variables));
    }

    [Fact]
    public async Task ExecuteAsync_BadVariable_RequestErrorWithoutData()
    {
        var variables = new Dictionary<string, object?> { ["a"] = "x" };
        Assert.Equal(
            """{"errors":[{"message":"Variable \"$a\" got invalid value \"x\"; Int cannot represent non-integer value: \"x\"","locations":[{"line":1,"column":9}],"extensions":{"code":"BAD_USER_INPUT"}}]}""",
            await Run("query Q($a: Int!) { add(a: $a) }", variables));
    }

    [Fact]
    public async Task ExecuteAsync_Mutation_RunsSerially()
    {
        var json = await Run("mutation { a: increment b: increment(by: 10) }");
        Assert.Matches("""^\{"data":\{"a":(\d+),"b":(\d+)\}\}$""", json);
    }

    [Fact]
    public async Task ExecuteAsync_Introspection_TypeName()
    {
        Assert.Equal(
            """{"data":{"__type":{"name":"Color","kind":"ENUM","enumValues":[{"name":"RED"},{"name":"GREEN"}]}}}""",
            await Run("{ __type(name: \"Color\") { name kind enumValues { name } } }"));
    }
}
