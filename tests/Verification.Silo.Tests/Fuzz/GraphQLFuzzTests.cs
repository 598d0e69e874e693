using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.GraphQL;
using Verification.GraphQL;
using Verification.GraphQL.Execution;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// GraphQL documents and variables, from seeds over the whole Verification schema, mutated: every input runs in process
/// against the silo's services (no resolver may fail unexpectedly), one in <see cref="FuzzRun.HttpEvery"/> also over
/// HTTP (never a 5xx).
/// </summary>
public sealed class GraphQLFuzzTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Surface = "graphql";

    private static readonly string[] Seeds =
    [
        "{ deployment(id: \"fz-gql\") { id service version status metrics { name kind } summaries { metric cohort observations count total mean } verdict { decision reason } } }",
        "query($first: Int, $after: String) { deployments(first: $first, after: $after) { id status verdict { decision } } }",
        "{ services { name slos { name objectives { target } burnRates { window rate } } } }",
        "query($name: String!) { service(name: $name) { name incidents { id } } }",
        "query($days: Int) { delivery(days: $days) { deployments } }",
        "query($weeks: Int) { deliveryTrend(weeks: $weeks) { isoYear isoWeek } }",
        "mutation($input: SamplesInput!) { recordSamples(input: $input) { accepted duplicate verdict { decision } } }",
        "mutation($input: RegisterDeploymentInput!) { registerDeployment(input: $input) { id } }",
        "mutation($id: ID!, $status: DeploymentStatus!) { completeDeployment(id: $id, status: $status) { id status } }",
        "mutation($yaml: String!) { applySlo(yaml: $yaml) { name } }",
        "{ __schema { queryType { name } types { name kind fields { name args { name defaultValue } } } } }",
        "query Q { ...F __typename } fragment F on Query { deployments(first: 2) { ... on Deployment { id } } }",
        "{ __type(name: \"Deployment\") { name fields(includeDeprecated: true) { name type { name kind ofType { name } } } } }",
    ];

    private static readonly string[] Dictionary =
    [
        "{", "}", "(", ")", "[", "]", ":", "$", "!", "...", "@skip(if: true)", "@include(if: $v)", "a: ", "fragment F on Query { __typename }",
        "...F", "on Deployment", "__typename", "__schema { types { name } }", "first: 1000", "weeks: 104", "days: 366", "\"\"\"", "\"\\u0000\"",
        "9223372036854775808", "1e400", "-0", "null", "true", "ENUM", "query", "mutation", "subscription", "#", ",", "\n",
        "deployment(id: \"fz-gql\") { id }", "recordSamples(input: {deploymentId: \"fz-gql\", cohort: CANARY, metric: \"m\", count: 1, total: 2})",
    ];

    private static readonly string[] VariableValues =
    [
        "null", "0", "-1", "1000", "1001", "2147483648", "1e308", "\"\"", "\"fz-gql\"", "\"x\"", "true", "[]", "{}", "[1,2]", "\"PROMOTED\"",
        "\"BOGUS\"", "{\"deploymentId\":\"fz-gql\",\"cohort\":\"CANARY\",\"metric\":\"m\",\"count\":1,\"total\":2}",
        "{\"deploymentId\":\"fz-gql\",\"cohort\":\"CANARY\",\"metric\":\"m\",\"values\":[1e308]}",
        "{\"id\":\"fz-gql-2\",\"service\":\"s\",\"version\":\"v\",\"metrics\":[{\"name\":\"m\",\"kind\":\"RATIO\"}]}",
        "\"apiVersion: openslo/v1\\nkind: SLO\\n\"", "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]\"",
    ];

    private static readonly string[] VariableNames = ["first", "after", "name", "days", "weeks", "input", "id", "status", "yaml", "v"];

    private sealed record Input(string Query, string Variables, bool Corpus);

    [Fact]
    public async Task Execute_FuzzedDocumentsAndVariables_NoUnexpectedErrorAndNoServerError()
    {
        await using var silo = new FuzzSilo(factory);
        await FuzzSilo.RegisterAsync(silo.Http, "fz-gql", new Api.Contracts.MetricInput("m", Api.Contracts.MetricKind.Ratio));
        var executor = new GraphQLExecutor(VerificationSchema.Build());
        var seed = FuzzRun.Seed(1106);
        var mutator = new Mutator(seed);

        var ran = await FuzzRun.RunAsync(Surface, seed, Inputs(mutator), async (input, index) =>
        {
            using var scope = silo.Factory.Services.CreateScope();
            var variables = ToClr(JsonDocument.Parse(input.Variables).RootElement) as IReadOnlyDictionary<string, object?>;
            var result = await executor.ExecuteAsync(new GraphQLRequest(input.Query, null, variables), new GraphQLRequestContext(scope.ServiceProvider));
            Assert.DoesNotContain(result.Errors, e => e.Code == ErrorCodes.InternalServerError);

            if (index % FuzzRun.HttpEvery != 0 && !input.Corpus)
            {
                return;
            }

            var body = $"{{\"query\":{JsonSerializer.Serialize(input.Query)},\"variables\":{input.Variables}}}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/graphql-response+json"));
            using var response = await silo.Http.SendAsync(request);
            FuzzSilo.NotServerError(response);
        }, input => FuzzRun.Show($"{input.Query}\nvariables: {input.Variables}"));

        Assert.True(ran >= FuzzRun.Inputs);
    }

    private static object? ToClr(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToClr(p.Value)) as IReadOnlyDictionary<string, object?>,
        JsonValueKind.Array => element.EnumerateArray().Select(ToClr).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static IEnumerable<Input> Inputs(Mutator mutator)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus(Surface))
        {
            yield return new Input(FuzzRun.Utf8(bytes), "{}", true);
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            var query = mutator.Pick(Seeds);
            if (mutator.Random.Next(4) != 0)
            {
                query = mutator.Mutate(query, Dictionary);
            }

            var variables = string.Join(",", Enumerable.Range(0, mutator.Random.Next(4))
                .Select(_ => $"\"{mutator.Pick(VariableNames)}\":{mutator.Pick(VariableValues)}")
                .DistinctBy(v => v[..v.IndexOf(':', StringComparison.Ordinal)]));
            yield return new Input(query, "{" + variables + "}", false);
        }
    }
}
