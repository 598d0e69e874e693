using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Verification.GraphQL.Execution;
using Verification.GraphQL.Introspection;

namespace Verification.GraphQL.Tests.Conformance;

/// <summary>
/// Runs graphql-js once for the whole conformance suite: the C# side prepares a job (our introspection
/// result, the validation corpus, the execution corpus), tests/conformance/harness.js answers with what
/// graphql-js says about each item. Fails (never skips) when node or the npm packages are missing.
/// </summary>
public sealed class ConformanceFixture
{
    public ConformanceFixture()
    {
        ValidationCorpus = File.ReadAllLines(Path.Combine(RepoPaths.Conformance, "validation-corpus.graphql"))
            .Select((line, index) => (Id: index + 1, Query: line))
            .Where(x => x.Query.Length > 0 && !x.Query.StartsWith('#'))
            .ToList();
        ExecutionCorpus = File.ReadAllLines(Path.Combine(RepoPaths.Conformance, "execution-corpus.jsonl"))
            .Select((line, index) => (Id: index + 1, Line: line))
            .Where(x => x.Line.Length > 0 && !x.Line.StartsWith('#'))
            .Select(x => (x.Id, Request: JsonNode.Parse(x.Line)!.AsObject()))
            .ToList();

        var introspection = new GraphQLExecutor(TestSchema.Schema)
            .ExecuteAsync(new GraphQLRequest(IntrospectionQuery.Full)).GetAwaiter().GetResult();
        IntrospectionJson = JsonNode.Parse(introspection.ToJson())!["data"]!.ToJsonString();

        var job = new JsonObject
        {
            ["introspection"] = JsonNode.Parse(IntrospectionJson),
            ["validation"] = new JsonArray(ValidationCorpus
                .Select(d => (JsonNode)new JsonObject { ["id"] = d.Id, ["query"] = d.Query }).ToArray()),
            ["execution"] = new JsonArray(ExecutionCorpus.Select(e =>
            {
                var copy = (JsonObject)e.Request.DeepClone();
                copy["id"] = e.Id;
                return (JsonNode)copy;
            }).ToArray()),
        };
        Answer = RunNode(job.ToJsonString());
    }

    public List<(int Id, string Query)> ValidationCorpus { get; }

    public List<(int Id, JsonObject Request)> ExecutionCorpus { get; }

    public string IntrospectionJson { get; }

    public JsonObject Answer { get; }

    private static JsonObject RunNode(string input)
    {
        var directory = RepoPaths.Conformance;
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "graphql")))
        {
            throw new InvalidOperationException(
                $"graphql-js is not installed: run `npm ci` in {directory} (test.sh does this).");
        }

        var startInfo = new ProcessStartInfo("node", "harness.js")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("graphql-js harness did not finish within 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"graphql-js harness failed ({process.ExitCode}): {stderr.Result}");
        }

        return JsonNode.Parse(stdout.Result)!.AsObject();
    }
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "graphql-js conformance";
}
