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
