using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Verification.Silo.Tests.Integrations;

/// <summary>
/// docs/integrations/argo-rollouts-analysistemplate.yaml, parsed and run against the service the way the Argo Rollouts
/// controller runs it (see <see cref="ArgoWebMetric"/>): PENDING keeps measuring, PROMOTE succeeds, ROLLBACK and
/// INCONCLUSIVE fail. The recipe registers by template: each test first stores it as the recipe's comments say.
/// </summary>
public sealed class ArgoRolloutsRecipeTests(RecipeSilo silo) : IClassFixture<RecipeSilo>, IAsyncLifetime
{
    private static readonly string Yaml = File.ReadAllText(RecipeSilo.RepositoryFile("docs/integrations/argo-rollouts-analysistemplate.yaml"));

    private readonly HttpClient _http = silo.CreateClient();

    public async Task InitializeAsync() =>
        Assert.Contains(await RecipeSilo.PutTemplateAsync(_http), new[] { HttpStatusCode.Created, HttpStatusCode.OK });

    public Task DisposeAsync() => Task.CompletedTask;

    /// <param name="template">Overrides the template argument (default: the recipe's own, <c>http-canary</c>).</param>
    private static (ArgoWebMetric Register, ArgoWebMetric Verdict) Metrics(string id, string? template = null)
    {
        var args = new Dictionary<string, string>
        {
            ["verification-url"] = "http://localhost",
            ["deployment-id"] = id,
            ["service"] = "checkout",
            ["version"] = "2.0.0",
        };
        if (template is not null)
        {
            args["template"] = template;
        }

        var metrics = ArgoWebMetric.Load(Yaml, args);
        return (metrics.Single(m => m.Name == "register"), metrics.Single(m => m.Name == "verdict"));
    }

    [Fact]
    public async Task Register_ByTheRecipesTemplate_DeploymentHasTheTemplatesMetricsAndWindow()
    {
        var (register, _) = Metrics("argo-template");

        Assert.Equal(ArgoPhase.Successful, await register.MeasureAsync(_http));

        var deployment = await _http.GetFromJsonAsync<JsonElement>("/v1/deployments/argo-template");
        Assert.Equal(["errors", "latency"], deployment.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal((300, 1800), (deployment.GetProperty("analysis").GetProperty("minDurationSeconds").GetInt32(),
            deployment.GetProperty("analysis").GetProperty("maxDurationSeconds").GetInt32()));
    }

    [Fact]
    public async Task Register_TemplateNotStored_MeasurementErrorAndNoDeployment()
    {
        var (register, verdict) = Metrics("argo-no-template", template: "never-stored");

        Assert.Equal(ArgoPhase.Error, await register.MeasureAsync(_http));
        Assert.Equal(ArgoPhase.Error, await verdict.MeasureAsync(_http));
    }

    private async Task SamplesAsync(string id, string metric, string baseline, string canary)
    {
        using var response = await _http.PostAsync("/v1/samples", new StringContent($$"""
            {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"{{metric}}",{{baseline}}}
            {"deploymentId":"{{id}}","cohort":"CANARY","metric":"{{metric}}",{{canary}}}
            """, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Latencies(double from) =>
        "\"values\":[" + string.Join(',', Enumerable.Range(0, 2000).Select(i => (from + (i % 50)).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    [Fact]
    public async Task Register_TwiceAsArgoRetries_SuccessfulBothTimes()
    {
        var (register, _) = Metrics("argo-register");
        var (again, _) = Metrics("argo-register");

        Assert.Equal(ArgoPhase.Successful, await register.MeasureAsync(_http));
        Assert.Equal(ArgoPhase.Successful, register.Assess());
        Assert.Equal(ArgoPhase.Successful, await again.MeasureAsync(_http));
    }

    [Fact]
    public async Task Verdict_BeforeRegistration_ErrorToleratedThenPendingKeepsMeasuring()
    {
        var (register, verdict) = Metrics("argo-pending");

        Assert.Equal(ArgoPhase.Error, await verdict.MeasureAsync(_http));
        Assert.Equal(ArgoPhase.Running, verdict.Assess());
        await register.MeasureAsync(_http);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ArgoPhase.Inconclusive, await verdict.MeasureAsync(_http));
            Assert.Equal(ArgoPhase.Running, verdict.Assess());
        }
    }

    [Fact]
    public async Task Verdict_Rollback_RunFailsAtOnce()
    {
        var (register, verdict) = Metrics("argo-rollback");
        await register.MeasureAsync(_http);
        await verdict.MeasureAsync(_http);

        await SamplesAsync("argo-rollback", "errors", "\"count\":0,\"total\":10000", "\"count\":20,\"total\":10000");

        Assert.Equal(ArgoPhase.Failed, await verdict.MeasureAsync(_http));
        Assert.Equal(ArgoPhase.Failed, verdict.Assess());
    }

    [Fact]
    public async Task Verdict_HealthyCanaryAfterMinimumDuration_SucceedsAtTheEndOfTheCount()
    {
        var (register, verdict) = Metrics("argo-promote");
        await register.MeasureAsync(_http);
        await SamplesAsync("argo-promote", "errors", "\"count\":20000,\"total\":2000000", "\"count\":20000,\"total\":2000000");
        await SamplesAsync("argo-promote", "latency", Latencies(100), Latencies(100));
        Assert.Equal(ArgoPhase.Inconclusive, await verdict.MeasureAsync(_http));

        silo.Time.Advance(TimeSpan.FromSeconds(301));
        while (verdict.Assess() == ArgoPhase.Running)
        {
            Assert.Equal(ArgoPhase.Successful, await verdict.MeasureAsync(_http));
        }

        Assert.Equal(ArgoPhase.Successful, verdict.Assess());
        Assert.Equal(verdict.Count, verdict.Measurements);
    }

    [Fact]
    public async Task Verdict_WindowClosesUndecided_Fails()
    {
        var (register, verdict) = Metrics("argo-inconclusive");
        await register.MeasureAsync(_http);
        Assert.Equal(ArgoPhase.Inconclusive, await verdict.MeasureAsync(_http));

        silo.Time.Advance(TimeSpan.FromSeconds(1801));

        Assert.Equal(ArgoPhase.Failed, await verdict.MeasureAsync(_http));
        Assert.Equal(ArgoPhase.Failed, verdict.Assess());
    }

    [Fact]
    public async Task Verdict_PendingForTheWholeCount_RunInconclusive()
    {
        var (register, verdict) = Metrics("argo-undecided");
        await register.MeasureAsync(_http);

        while (verdict.Assess() == ArgoPhase.Running)
        {
            Assert.Equal(ArgoPhase.Inconclusive, await verdict.MeasureAsync(_http));
        }

        Assert.Equal(ArgoPhase.Inconclusive, verdict.Assess());
        Assert.Equal(verdict.Count, verdict.Measurements);
    }

    [Fact]
    public void Rollout_UsesTheTemplateWithEveryRequiredArgument()
    {
        var documents = ArgoWebMetric.Documents(Yaml);
        var template = documents.Single(d => ArgoWebMetric.Scalar(d, "kind") == "AnalysisTemplate");
        var rollout = documents.Single(d => ArgoWebMetric.Scalar(d, "kind") == "Rollout");
        var required = ((YamlSequenceNode)((YamlMappingNode)template["spec"])["args"]).Cast<YamlMappingNode>()
            .Where(a => ArgoWebMetric.Scalar(a, "value") is null).Select(a => ArgoWebMetric.Scalar(a, "name")).Order().ToList();
        var analysis = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)rollout["spec"])["strategy"])["canary"]["steps"])
            .Cast<YamlMappingNode>().Select(s => s.Children.TryGetValue(new YamlScalarNode("analysis"), out var a) ? (YamlMappingNode)a : null)
            .Single(a => a is not null)!;
        var given = ((YamlSequenceNode)analysis["args"]).Cast<YamlMappingNode>().Select(a => ArgoWebMetric.Scalar(a, "name")).Order().ToList();

        Assert.Equal("verification", ArgoWebMetric.Scalar((YamlMappingNode)template["metadata"], "name"));
        Assert.Equal("verification", ArgoWebMetric.Scalar((YamlMappingNode)((YamlSequenceNode)analysis["templates"])[0], "templateName"));
        Assert.Equal(required, given);
    }
}
