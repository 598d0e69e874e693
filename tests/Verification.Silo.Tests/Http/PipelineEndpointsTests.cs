using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Delivery;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary>Pipeline runs in (NDJSON, GraphQL, the GitHub and GitLab webhooks) and provenance on registration, through the whole silo.</summary>
public sealed class PipelineEndpointsTests : IAsyncLifetime
{
    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitLabToken = "gl-token-7";

    private readonly SiloFactory _root = new();

    // After the example payloads' runs (2026-11-20).
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>? _factory;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _factory = _root.WithWebHostBuilder(b =>
        {
            b.UseSetting("Integrations:GitHub:Secret", GitHubSecret);
            b.UseSetting("Integrations:GitLab:Token", GitLabToken);
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_time));
        });
        _http = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await _root.DisposeAsync();
    }

    private static byte[] Payload(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "CiWebhooks", name));

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{request.Method} {request.RequestUri}: {response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private Task<JsonElement> PostAsync(string path, string body, string contentType, HttpStatusCode expected) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) }, expected);

    private static HttpRequestMessage Webhook(string path, byte[] body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    private async Task<JsonElement> MetricsAsync(string service) =>
        (await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1/delivery?service={service}&days=30"), HttpStatusCode.OK)).GetProperty("metrics");

    private static (int Accepted, int Duplicates) Counts(JsonElement answer) =>
        (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("duplicates").GetInt32());

    [Fact]
    public async Task PostPipelineRuns_SameBatchAgain_StoredOnceAndCounted()
    {
        const string body = """
            {"service":"checkout","pipeline":"ci","runId":"101","kind":"BUILD","status":"FAILED","commitSha":"c1","finishedAt":"2026-11-24T10:00:00Z"}
            {"service":"checkout","pipeline":"ci","runId":"101","kind":"BUILD","status":"SUCCEEDED","commitSha":"c1","attempt":2,"finishedAt":"2026-11-24T10:20:00Z"}

            {"service":"checkout","pipeline":"scan","runId":"7","kind":"SECURITY","status":"FAILED","batchId":"scan-7"}
            {"service":"pay","pipeline":"ci","runId":"9","kind":"TEST","status":"CANCELLED"}
            """;

        var first = await PostAsync("/v1/pipeline-runs", body, "application/x-ndjson", HttpStatusCode.OK);
        var again = await PostAsync("/v1/pipeline-runs", body, "application/x-ndjson", HttpStatusCode.OK);
        var checkout = await MetricsAsync("checkout");

        Assert.Equal((4, 0), Counts(first));
        Assert.Equal((0, 4), Counts(again));
        // checkout: 3 runs, 1 of 3 succeeded; the failed ci run on c1 was retried successfully (flaky); the one security run failed.
        Assert.Equal((3, 1.0 / 3, 1, 1.0), (checkout.GetProperty("pipelineRuns").GetInt32(), checkout.GetProperty("pipelineSuccessRate").GetDouble(),
            checkout.GetProperty("flakyRuns").GetInt32(), checkout.GetProperty("securityGateFailureRate").GetDouble()));
        var pay = await MetricsAsync("pay");
        Assert.Equal((1, JsonValueKind.Null), (pay.GetProperty("pipelineRuns").GetInt32(), pay.GetProperty("pipelineSuccessRate").ValueKind));
    }

    [Fact]
    public async Task PostPipelineRuns_BadSecondLine_400NamingLineAndNothingStored()
    {
        const string body = """
            {"service":"checkout","pipeline":"ci","runId":"1","kind":"BUILD","status":"SUCCEEDED"}
            {"service":"checkout","pipeline":"ci","runId":"2","kind":"BUILD","status":"SUCCEEDED","attempt":0}
            """;

        var problem = await PostAsync("/v1/pipeline-runs", body, "application/x-ndjson", HttpStatusCode.BadRequest);
        var unknownKind = await PostAsync("/v1/pipeline-runs",
            """{"service":"checkout","pipeline":"ci","runId":"3","kind":"LINT","status":"SUCCEEDED"}""", "application/x-ndjson", HttpStatusCode.BadRequest);
        var future = await PostAsync("/v1/pipeline-runs",
            """{"service":"checkout","pipeline":"ci","runId":"4","kind":"BUILD","status":"SUCCEEDED","finishedAt":"2026-11-26T12:00:00Z"}""",
            "application/x-ndjson", HttpStatusCode.BadRequest);

        Assert.Equal(("attempt", 2), (problem.GetProperty("field").GetString(), problem.GetProperty("line").GetInt32()));
        Assert.Equal(("kind", 1), (unknownKind.GetProperty("field").GetString(), unknownKind.GetProperty("line").GetInt32()));
        Assert.Equal("finishedAt", future.GetProperty("field").GetString());
        Assert.Equal(0, (await MetricsAsync("checkout")).GetProperty("pipelineRuns").GetInt32());
        await PostAsync("/v1/pipeline-runs", "{}", "application/json", HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task GitHubWebhook_SignedDeliveryThenRedelivery_RecordedOnce()
    {
        var body = Payload("github-workflow-run-completed.json");
        var signature = CiWebhooks.GitHubSignature(body, GitHubSecret);

        var unsigned = await SendAsync(Webhook("/v1/integrations/github", body, ("X-GitHub-Event", "workflow_run")), HttpStatusCode.Unauthorized);
        var forged = await SendAsync(Webhook("/v1/integrations/github", body, ("X-GitHub-Event", "workflow_run"),
            ("X-Hub-Signature-256", CiWebhooks.GitHubSignature(body, "guess"))), HttpStatusCode.Unauthorized);
        var first = await SendAsync(Webhook("/v1/integrations/github", body, ("X-GitHub-Event", "workflow_run"),
            ("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")), HttpStatusCode.OK);
        var redelivered = await SendAsync(Webhook("/v1/integrations/github", body, ("X-GitHub-Event", "workflow_run"),
            ("X-Hub-Signature-256", signature)), HttpStatusCode.OK);
        var push = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}""");
        var ignored = await SendAsync(Webhook("/v1/integrations/github", push, ("X-GitHub-Event", "push"),
            ("X-Hub-Signature-256", CiWebhooks.GitHubSignature(push, GitHubSecret))), HttpStatusCode.Accepted);

        Assert.Equal("X-Hub-Signature-256", unsigned.GetProperty("field").GetString());
        Assert.Equal("X-Hub-Signature-256", forged.GetProperty("field").GetString());
        Assert.Equal((1, 0), Counts(first));
        Assert.Equal((0, 1), Counts(redelivered));
        Assert.Equal((0, 0), Counts(ignored));
        var metrics = await MetricsAsync("checkout");
        Assert.Equal((1, 0.0), (metrics.GetProperty("pipelineRuns").GetInt32(), metrics.GetProperty("pipelineSuccessRate").GetDouble()));
    }

    [Fact]
    public async Task GitLabWebhook_TokenChecked_PipelineAndSecurityJobRecorded()
    {
        var body = Payload("gitlab-pipeline-success.json");

        var wrong = await SendAsync(Webhook("/v1/integrations/gitlab", body, ("X-Gitlab-Event", "Pipeline Hook"), ("X-Gitlab-Token", "nope")),
            HttpStatusCode.Unauthorized);
        var recorded = await SendAsync(Webhook("/v1/integrations/gitlab?service=payments-api", body, ("X-Gitlab-Event", "Pipeline Hook"),
            ("X-Gitlab-Token", GitLabToken)), HttpStatusCode.OK);
        var badKind = await SendAsync(Webhook("/v1/integrations/gitlab?kind=LINT", body, ("X-Gitlab-Token", GitLabToken)), HttpStatusCode.BadRequest);

        Assert.Equal("X-Gitlab-Token", wrong.GetProperty("field").GetString());
        Assert.Equal((2, 0), Counts(recorded));
        Assert.Equal("kind", badKind.GetProperty("field").GetString());
        // The pipeline succeeded and its SAST job failed: 1 of 2 runs passed; the one security gate failed.
        var metrics = await MetricsAsync("payments-api");
        Assert.Equal((2, 0.5, 1.0), (metrics.GetProperty("pipelineRuns").GetInt32(), metrics.GetProperty("pipelineSuccessRate").GetDouble(),
            metrics.GetProperty("securityGateFailureRate").GetDouble()));
    }

    [Fact]
    public async Task RecordPipelineRun_GraphQL_AcceptedThenDuplicateAndBadInputNamed()
    {
        const string mutation = """
            mutation($i: PipelineRunInput!) { recordPipelineRun(input: $i) { accepted duplicate } }
            """;
        var input = new { service = "gql-ci", pipeline = "ci", runId = "5", kind = "DEPLOY", status = "SUCCEEDED", artifact = "registry/gql@sha256:" + new string('a', 64) };

        var first = await _http.PostGraphQLAsync(mutation, new { i = input });
        var again = await _http.PostGraphQLAsync(mutation, new { i = input });
        var bad = await _http.PostGraphQLAsync(mutation, new { i = input with { runId = " " } });

        Assert.Equal("""{"accepted":1,"duplicate":false}""", first.GetProperty("data").GetProperty("recordPipelineRun").GetRawText());
        Assert.Equal("""{"accepted":0,"duplicate":true}""", again.GetProperty("data").GetProperty("recordPipelineRun").GetRawText());
        var extensions = bad.GetProperty("errors")[0].GetProperty("extensions");
        Assert.Equal(("BAD_USER_INPUT", "runId"), (extensions.GetProperty("code").GetString(), extensions.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task RegisterDeployment_Provenance_StoredAndMissingNamed()
    {
        var digest = "registry.example.com/checkout@sha256:" + new string('0', 64);
        var full = await PostAsync("/v1/deployments", $$"""
            {"id":"p1","service":"prov","version":"1.4.2","commitSha":"4b825dc","artifact":"{{digest}}","buildId":"gh-11932654871",
             "pipelineRunId":"11932654871","changeUrl":"https://github.com/acme/checkout/pull/812","approvedBy":"aruiz",
             "metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.Created);
        var partial = await PostAsync("/v1/deployments", """
            {"id":"p2","service":"prov","version":"1.4.3","buildId":"b-2","metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.Created);
        var latest = await PostAsync("/v1/deployments", """
            {"id":"p3","service":"prov","version":"1","artifact":"registry/checkout:latest","metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.BadRequest);
        var badDigest = await PostAsync("/v1/deployments", """
            {"id":"p3","service":"prov","version":"1","artifact":"registry/checkout@sha256:abc","metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.BadRequest);
        var badUrl = await PostAsync("/v1/deployments", """
            {"id":"p3","service":"prov","version":"1","changeUrl":"ftp://example.com/x","metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.BadRequest);
        var changed = await PostAsync("/v1/deployments", """
            {"id":"p2","service":"prov","version":"1.4.3","buildId":"b-3","metrics":[{"name":"errors","kind":"RATIO"}]}
            """, "application/json", HttpStatusCode.Conflict);
        var gql = await _http.PostGraphQLAsync("""
            { deployment(id: "p1") { artifact buildId pipelineRunId changeUrl approvedBy provenanceMissing } }
            """);

        Assert.Equal((digest, "[]"), (full.GetProperty("artifact").GetString(), full.GetProperty("provenanceMissing").GetRawText()));
        Assert.Equal("""["commitSha","artifact"]""", partial.GetProperty("provenanceMissing").GetRawText());
        Assert.Equal(["artifact", "artifact", "changeUrl", "buildId"],
            new[] { latest, badDigest, badUrl, changed }.Select(p => p.GetProperty("field").GetString()));
        Assert.Equal($$"""{"artifact":"{{digest}}","buildId":"gh-11932654871","pipelineRunId":"11932654871","changeUrl":"https://github.com/acme/checkout/pull/812","approvedBy":"aruiz","provenanceMissing":[]}""",
            gql.GetProperty("data").GetProperty("deployment").GetRawText());
        // Two deployments in the window, one with full provenance.
        Assert.Equal(0.5, (await MetricsAsync("prov")).GetProperty("provenanceCoverage").GetDouble());
    }
}
