using System.Text.Json.Nodes;
using Verification.Api.GraphQL;
using Verification.GraphQL;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Introspection;

namespace Verification.Silo.Tests.GraphQL;

/// <summary>
/// The real Verification schema against graphql-js: its full introspection builds a valid client schema that prints as
/// our SDL printer does, everything in it is described, it keeps every promise of contract v1 (the ```graphql block of
/// docs/API.md), and docs/schema.graphql is what it serves.
/// </summary>
public sealed class VerificationSchemaConformanceTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    private static readonly HashSet<string> BuiltInScalars = ["String", "Int", "Float", "Boolean", "ID"];

    private static readonly Lazy<Task<JsonObject>> Introspection = new(async () =>
    {
        var result = await new GraphQLExecutor(VerificationSchema.Build()).ExecuteAsync(new GraphQLRequest(IntrospectionQuery.Full));
        var json = JsonNode.Parse(result.ToJson())!.AsObject();
        Assert.Null(json["errors"]);
        return json["data"]!.AsObject();
    });

    [Fact]
    public async Task BuildClientSchema_OfVerificationIntrospection_ValidAndPrintsOurSdl()
    {
        var sut = VerificationSchema.Build();
        var job = new JsonObject { ["introspection"] = (await Introspection.Value).DeepClone() };

        var answer = JsonNode.Parse(await NodeScript.RunAsync("harness.js", job.ToJsonString(), NodeTimeout))!["schema"]!;

        Assert.Empty(answer["errors"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(answer["printed"]!.GetValue<string>(), sut.PrintSdl());
    }

    [Fact]
    public async Task Introspection_EveryTypeFieldArgumentInputFieldAndEnumValue_HasDescription()
    {
        var schema = (await Introspection.Value)["__schema"]!;

        var undescribed = new List<string>();
        Check(schema, "schema");
        foreach (var type in schema["types"]!.AsArray().Select(t => t!))
        {
            var name = type["name"]!.GetValue<string>();
            if (name.StartsWith("__", StringComparison.Ordinal) || BuiltInScalars.Contains(name))
            {
                continue;
            }

            Check(type, name);
            foreach (var field in Items(type, "fields"))
            {
                var fieldName = $"{name}.{field["name"]}";
                Check(field, fieldName);
                foreach (var argument in Items(field, "args"))
                {
                    Check(argument, $"{fieldName}({argument["name"]})");
                }
            }

            foreach (var inputField in Items(type, "inputFields"))
            {
                Check(inputField, $"{name}.{inputField["name"]}");
            }

            foreach (var value in Items(type, "enumValues"))
            {
                Check(value, $"{name}.{value["name"]}");
            }
        }

        Assert.Empty(undescribed);

        void Check(JsonNode node, string where)
        {
            if (string.IsNullOrWhiteSpace(node["description"]?.GetValue<string>()))
            {
                undescribed.Add(where);
            }
        }
    }

    [Fact]
    public async Task PrintSdl_ServedSchema_EqualsDocsSchemaGraphql()
    {
        // The schema Program.cs maps at /graphql, printed; regenerate the file with
        // VERIFICATION_WRITE_SCHEMA=1 dotnet test tests/Verification.Silo.Tests --filter PrintSdl_ServedSchema_EqualsDocsSchemaGraphql
        var path = Path.Combine(NodeScript.RepositoryRoot(), "docs", "schema.graphql");
        var served = VerificationSchema.Build().PrintSdl() + "\n";
        if (Environment.GetEnvironmentVariable("VERIFICATION_WRITE_SCHEMA") == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        Assert.Equal(served, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Schema_ContractV1OfApiMd_EveryNameExistsWithCompatibleType()
    {
        var contract = ContractBlock(await File.ReadAllTextAsync(Path.Combine(NodeScript.RepositoryRoot(), "docs", "API.md")));
        var job = new JsonObject { ["introspection"] = (await Introspection.Value).DeepClone(), ["contract"] = contract };

        var answer = JsonNode.Parse(await NodeScript.RunAsync("contract-check.js", job.ToJsonString(), NodeTimeout))!;

        Assert.Empty(answer["problems"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task ContractCheck_SchemaBreakingTheContract_ReportsEachBreak()
    {
        // The checker itself must be able to fail: a contract that our schema breaks in each way it can be broken.
        const string contract = """
            enum Decision { PENDING PROMOTE ROLLBACK INCONCLUSIVE MAYBE }
            type Verdict { decision: Decision! reason: Int! confidence: Float }
            input SamplesInput { deploymentId: ID! cohort: Cohort! metric: String! }
            enum Cohort { BASELINE CANARY }
            type Query { deployment(id: ID!, at: String): Verdict deployments(first: Int = 10): [Verdict!]! }
            type Missing { x: Int }
            """;
        var job = new JsonObject { ["introspection"] = (await Introspection.Value).DeepClone(), ["contract"] = contract };

        var answer = JsonNode.Parse(await NodeScript.RunAsync("contract-check.js", job.ToJsonString(), NodeTimeout))!;

        Assert.Equal(
            [
                "enum value Decision.MAYBE is missing",
                "field Verdict.reason has type String!, the contract says Int!",
                "field Verdict.confidence is missing",
                "field Query.deployment has type Deployment, the contract says Verdict",
                "Query.deployment(at) is missing",
                "field Query.deployments has type [Deployment!]!, the contract says [Verdict!]!",
                "Query.deployments(first) defaults to 50, the contract says 10",
                "type Missing is missing",
            ],
            answer["problems"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    /// <summary>The first ```graphql block of a Markdown text.</summary>
    private static string ContractBlock(string markdown)
    {
        var start = markdown.IndexOf("```graphql\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/API.md has no ```graphql block");
        start += "```graphql\n".Length;
        return markdown[start..markdown.IndexOf("\n```", start, StringComparison.Ordinal)];
    }

    private static IEnumerable<JsonNode> Items(JsonNode node, string key) =>
        node[key] is JsonArray array ? array.Select(x => x!) : [];
}
