using System.Text.Json;
using System.Text.Json.Nodes;
using Verification.GraphQL.Execution;

namespace Verification.GraphQL.Tests.Conformance;

[Collection(ConformanceCollection.Name)]
public sealed class ExecutionConformanceTests(ConformanceFixture fixture)
{
    [Fact]
    public void Execute_Corpus_HasAtLeast50Requests()
    {
        Assert.True(fixture.ExecutionCorpus.Count >= 50, $"corpus has {fixture.ExecutionCorpus.Count} requests");
    }

    [Fact]
    public async Task Execute_EveryCorpusRequest_SameJsonAsGraphQLJs()
    {
        var answers = fixture.Answer["execution"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<int>());
        var mismatches = new List<string>();
        foreach (var (id, request) in fixture.ExecutionCorpus)
        {
            var variables = request["variables"] is JsonObject v
                ? (IReadOnlyDictionary<string, object?>)ValueConversionAccess.FromJson(JsonDocument.Parse(v.ToJsonString()).RootElement)!
                : null;
            // A fresh schema per request: the mutation counter starts at zero, as in harness.js.
            var sut = new GraphQLExecutor(TestSchema.Create());
            var result = await sut.ExecuteAsync(new GraphQLRequest(
                request["query"]!.GetValue<string>(), request["operationName"]?.GetValue<string>(), variables));
            var ours = Normalize(JsonNode.Parse(result.ToJson())!.AsObject(), answers[id]!["result"]!.AsObject());
            var theirs = answers[id]!["result"]!.ToJsonString();
            if (ours != theirs)
            {
                mismatches.Add($"line {id}: {request["query"]}\n  graphql-js: {theirs}\n  ours:       {ours}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task Execute_EveryCorpusRequest_AsyncResolvers_SameDataAndErrorsAsGraphQLJs()
    {
        // Every resolver yields before answering, so every field takes the concurrent path of the executor.
        // graphql-js's answers come from synchronous resolvers: data must be identical; errors are compared
        // as a set because concurrent completion may order them differently.
        var answers = fixture.Answer["execution"]!.AsArray().ToDictionary(a => a!["id"]!.GetValue<int>());
        var mismatches = new List<string>();
        foreach (var (id, request) in fixture.ExecutionCorpus)
        {
            var variables = request["variables"] is JsonObject v
                ? (IReadOnlyDictionary<string, object?>)ValueConversionAccess.FromJson(JsonDocument.Parse(v.ToJsonString()).RootElement)!
                : null;
            var sut = new GraphQLExecutor(MakeAsync(TestSchema.Create()));
            var result = await sut.ExecuteAsync(new GraphQLRequest(
                request["query"]!.GetValue<string>(), request["operationName"]?.GetValue<string>(), variables));
            var theirs = answers[id]!["result"]!.AsObject();
            var ours = JsonNode.Parse(Normalize(JsonNode.Parse(result.ToJson())!.AsObject(), theirs))!.AsObject();
            if (ours["data"]?.ToJsonString() != theirs["data"]?.ToJsonString() || ErrorSet(ours) != ErrorSet(theirs))
            {
                mismatches.Add($"line {id}: {request["query"]}\n  graphql-js: {theirs.ToJsonString()}\n  ours:       {ours.ToJsonString()}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static string ErrorSet(JsonObject result) => result["errors"] is JsonArray errors
        ? string.Join("\n", errors.Select(e => e!.ToJsonString()).Order(StringComparer.Ordinal))
        : string.Empty;

    private static Verification.GraphQL.Types.Schema MakeAsync(Verification.GraphQL.Types.Schema schema)
    {
        foreach (var type in schema.Types.Values.OfType<Verification.GraphQL.Types.ObjectType>().Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)))
        {
            foreach (var field in type.Fields)
            {
                var original = field.Resolver;
                field.Resolver = async ctx =>
                {
                    await Task.Yield();
                    return original is null ? Executor.DefaultResolve(ctx.Source, ctx.FieldName) : await original(ctx);
                };
            }
        }

        return schema;
    }

    /// <summary>Our errors always carry extensions.code; graphql-js's engine errors carry none. Keep our
    /// extensions only where graphql-js has them (thrown errors with codes), so everything else must be equal.</summary>
    private static string Normalize(JsonObject ours, JsonObject theirs)
    {
        if (ours["errors"] is JsonArray errors)
        {
            var theirErrors = theirs["errors"] as JsonArray;
            for (var i = 0; i < errors.Count; i++)
            {
                var theirError = theirErrors is not null && i < theirErrors.Count ? theirErrors[i] as JsonObject : null;
                if (theirError?["extensions"] is null)
                {
                    errors[i]!.AsObject().Remove("extensions");
                }
            }
        }

        return ours.ToJsonString();
    }
}
