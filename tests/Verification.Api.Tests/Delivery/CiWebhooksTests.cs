using System.Text;
using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Api.Delivery;

namespace Verification.Api.Tests.Delivery;

/// <summary>The CI webhook payloads (written from GitHub's and GitLab's documented schemas) mapped to pipeline runs.</summary>
public sealed class CiWebhooksTests
{
    private static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CiWebhooks", name))).RootElement.Clone();

    private static JsonElement With(JsonElement payload, Action<Dictionary<string, JsonElement>, Dictionary<string, JsonElement>> change, string child)
    {
        var root = payload.Deserialize<Dictionary<string, JsonElement>>()!;
        var inner = root[child].Deserialize<Dictionary<string, JsonElement>>()!;
        change(root, inner);
        root[child] = JsonSerializer.SerializeToElement(inner);
        return JsonSerializer.SerializeToElement(root);
    }

    private static JsonElement Value(object? value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public void FromGitHub_CompletedFailure_OneFailedBuildRunOfTheRepository()
    {
        var sut = CiWebhooks.FromGitHub(Load("github-workflow-run-completed.json"), null, null);

        var run = Assert.Single(sut);
        Assert.Equal(
            new PipelineRunInput("checkout", "CI", "11932654871", PipelineKind.Build, PipelineStatus.Failed,
                new DateTimeOffset(2026, 11, 20, 10, 2, 11, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 10, 9, 47, TimeSpan.Zero),
                "4b825dc642cb6eb9a060e54bf8d69288fbee4904", null, 1, "github:acme/checkout/11932654871/1"),
            run);
    }

    [Theory]
    [InlineData("success", PipelineStatus.Succeeded)]
    [InlineData("timed_out", PipelineStatus.Failed)]
    [InlineData("startup_failure", PipelineStatus.Failed)]
    [InlineData("cancelled", PipelineStatus.Cancelled)]
    public void FromGitHub_Conclusion_MapsToStatus(string conclusion, PipelineStatus expected)
    {
        var payload = With(Load("github-workflow-run-completed.json"), (_, run) => run["conclusion"] = Value(conclusion), "workflow_run");

        Assert.Equal(expected, Assert.Single(CiWebhooks.FromGitHub(payload, null, null)).Status);
    }

    [Theory]
    [InlineData("completed", "skipped")]
    [InlineData("completed", "neutral")]
    [InlineData("completed", "action_required")]
    [InlineData("requested", null)]
    [InlineData("in_progress", null)]
    public void FromGitHub_NotPassOrFail_NothingRecorded(string action, string? conclusion)
    {
        var payload = With(Load("github-workflow-run-completed.json"), (root, run) =>
        {
            root["action"] = Value(action);
            run["conclusion"] = Value(conclusion);
        }, "workflow_run");

        Assert.Empty(CiWebhooks.FromGitHub(payload, null, null));
    }

    [Fact]
    public void FromGitHub_RetryOfASecurityWorkflowWithOverrides_AttemptInBatchIdServiceAndKindAsGiven()
    {
        var payload = With(Load("github-workflow-run-completed.json"), (_, run) =>
        {
            run["name"] = Value("CodeQL");
            run["run_attempt"] = Value(2);
        }, "workflow_run");

        var inferred = Assert.Single(CiWebhooks.FromGitHub(payload, null, null));
        var overridden = Assert.Single(CiWebhooks.FromGitHub(payload, "checkout-api", PipelineKind.Test));

        Assert.Equal((PipelineKind.Security, 2, "github:acme/checkout/11932654871/2"), (inferred.Kind, inferred.Attempt, inferred.BatchId));
        Assert.Equal(("checkout-api", PipelineKind.Test), (overridden.Service, overridden.Kind));
    }

    [Fact]
    public void FromGitHub_NoWorkflowRun_InputErrorNamingIt()
    {
        var error = Assert.Throws<InputException>(() => CiWebhooks.FromGitHub(Value(new { action = "completed" }), null, null));

        Assert.Equal("workflow_run", error.Field);
    }

    [Fact]
    public void FromGitLab_SucceededPipeline_PipelineRunAndFinishedSecurityJobs()
    {
        var sut = CiWebhooks.FromGitLab(Load("gitlab-pipeline-success.json"), null, null);

        const string sha = "bcbb5ec396a2c0f828686f14fac9b80b780504f2";
        Assert.Equal(
            [
                // "Release pipeline" names a release: DEPLOY. Times in GitLab's "yyyy-MM-dd HH:mm:ss UTC".
                new PipelineRunInput("payments", "Release pipeline", "1530487732", PipelineKind.Deploy, PipelineStatus.Succeeded,
                    new DateTimeOffset(2026, 11, 20, 14, 0, 3, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 14, 12, 41, TimeSpan.Zero),
                    sha, null, null, "gitlab:acme/payments/1530487732/succeeded"),
                // semgrep-sast failed (allowed to fail, still a failed gate); secret_detection is still running: not yet.
                new PipelineRunInput("payments", "semgrep-sast", "7301558002", PipelineKind.Security, PipelineStatus.Failed,
                    new DateTimeOffset(2026, 11, 20, 14, 4, 1, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 14, 6, 30, TimeSpan.Zero),
                    sha, null, null, "gitlab:acme/payments/job/7301558002/failed"),
            ],
            sut);
    }

    [Theory]
    [InlineData("running", 0)]
    [InlineData("pending", 0)]
    [InlineData("canceled", 1)]
    [InlineData("failed", 1)]
    public void FromGitLab_PipelineStatus_RecordedOnlyWhenFinal(string status, int pipelineRuns)
    {
        var payload = With(Load("gitlab-pipeline-success.json"), (_, a) => a["status"] = Value(status), "object_attributes");

        var runs = CiWebhooks.FromGitLab(payload, "pay", PipelineKind.Build);

        Assert.Equal(pipelineRuns, runs.Count(r => r.Pipeline == "Release pipeline"));
        Assert.All(runs, r => Assert.Equal("pay", r.Service));
    }

    [Fact]
    public void FromGitLab_NotAPipelineEvent_InputErrorOnObjectKind()
    {
        var error = Assert.Throws<InputException>(() => CiWebhooks.FromGitLab(Value(new { object_kind = "push" }), null, null));

        Assert.Equal("object_kind", error.Field);
    }

    [Fact]
    public void GitHubSignatureValid_SignedWithSecret_TrueOnlyForThatSecretAndBody()
    {
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        // GitHub's documented test vector ("Validating webhook deliveries"): secret "It's a Secret to Everybody".
        const string expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        Assert.Equal(expected, CiWebhooks.GitHubSignature(body, "It's a Secret to Everybody"));
        Assert.True(CiWebhooks.GitHubSignatureValid(body, "It's a Secret to Everybody", expected));
        Assert.False(CiWebhooks.GitHubSignatureValid(body, "another secret", expected));
        Assert.False(CiWebhooks.GitHubSignatureValid("Hello, World?"u8, "It's a Secret to Everybody", expected));
        Assert.False(CiWebhooks.GitHubSignatureValid(body, "It's a Secret to Everybody", "sha256=zz"));
        Assert.False(CiWebhooks.GitHubSignatureValid(body, "It's a Secret to Everybody", null));
    }

    [Fact]
    public void GitLabTokenValid_ExactTokenOnly_True()
    {
        Assert.True(CiWebhooks.GitLabTokenValid("s3cret", "s3cret"));
        Assert.False(CiWebhooks.GitLabTokenValid("s3cret", "s3cre"));
        Assert.False(CiWebhooks.GitLabTokenValid("s3cret", null));
    }

    [Theory]
    [InlineData("Dependency audit", PipelineKind.Security)]
    [InlineData("Deploy to production", PipelineKind.Deploy)]
    [InlineData("Integration tests", PipelineKind.Test)]
    [InlineData("CI", PipelineKind.Build)]
    public void InferKind_Name_KindByWord(string name, PipelineKind expected) =>
        Assert.Equal(expected, CiWebhooks.InferKind(name));
}
