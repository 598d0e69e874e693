using System.Net;
using System.Text;

namespace Verification.Silo.Tests.Integrations;

/// <summary>
/// docs/integrations/spinnaker-webhook-stage.json, parsed and run against the service the way Orca runs webhook stages
/// (see <see cref="SpinnakerWebhookStage"/>): PENDING keeps the stage RUNNING, PROMOTE succeeds, ROLLBACK and
/// INCONCLUSIVE end it TERMINAL. The register stage names a template: each test first stores it as the recipe's description says.
/// </summary>
public sealed class SpinnakerRecipeTests(RecipeSilo silo) : IClassFixture<RecipeSilo>, IAsyncLifetime
{
    private static readonly string Json = File.ReadAllText(RecipeSilo.RepositoryFile("docs/integrations/spinnaker-webhook-stage.json"));

    private readonly HttpClient _http = silo.CreateClient();

    public async Task InitializeAsync() =>
        Assert.Contains(await RecipeSilo.PutTemplateAsync(_http), new[] { HttpStatusCode.Created, HttpStatusCode.OK });

    public Task DisposeAsync() => Task.CompletedTask;

    /// <param name="template">Overrides the template parameter (default: the pipeline's own, <c>http-canary</c>).</param>
    private static (SpinnakerWebhookStage Register, SpinnakerWebhookStage Verdict) Stages(string id, string? template = null)
    {
        var parameters = new Dictionary<string, string>
        {
            ["verificationUrl"] = "http://localhost",
            ["deploymentId"] = id,
            ["service"] = "checkout",
            ["version"] = "2.0.0",
        };
        if (template is not null)
        {
            parameters["template"] = template;
        }

        var stages = SpinnakerWebhookStage.Load(Json, parameters);
        return (stages.Single(s => s.RefId == "verification-register"), stages.Single(s => s.RefId == "verification-verdict"));
    }

    private async Task SamplesAsync(string id, long baselineErrors, long baselineTotal, long canaryErrors, long canaryTotal)
    {
        using var response = await _http.PostAsync("/v1/samples", new StringContent($$"""
            {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":{{baselineErrors}},"total":{{baselineTotal}}}
            {"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":{{canaryErrors}},"total":{{canaryTotal}}}
            """, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Stages_RegisterThenRollback_VerdictStageTerminal()
    {
        var (register, verdict) = Stages("spin-rollback");

        Assert.Equal(SpinnakerStatus.Succeeded, await register.StartAsync(_http));
        Assert.Equal(SpinnakerStatus.Succeeded, await register.StartAsync(_http));
        Assert.Equal(SpinnakerStatus.Running, await verdict.StartAsync(_http));
        Assert.Equal(SpinnakerStatus.Running, await verdict.PollAsync(_http));
        await SamplesAsync("spin-rollback", 0, 10_000, 20, 10_000);

        Assert.Equal(SpinnakerStatus.Terminal, await verdict.PollAsync(_http));
    }

    [Fact]
    public async Task Stages_HealthyCanary_VerdictStageSucceedsAfterMinimumDuration()
    {
        var (register, verdict) = Stages("spin-promote");
        await register.StartAsync(_http);
        await verdict.StartAsync(_http);
        await SamplesAsync("spin-promote", 20_000, 2_000_000, 20_000, 2_000_000);
        using (var latency = await _http.PostAsync("/v1/samples", new StringContent(
            string.Join('\n', new[] { "BASELINE", "CANARY" }.Select(c =>
                $$"""{"deploymentId":"spin-promote","cohort":"{{c}}","metric":"latency","values":[{{string.Join(',', Enumerable.Range(0, 2000).Select(i => 100 + (i % 50)))}}]}""")),
            Encoding.UTF8, "application/x-ndjson")))
        {
            Assert.Equal(HttpStatusCode.OK, latency.StatusCode);
        }

        Assert.Equal(SpinnakerStatus.Running, await verdict.PollAsync(_http));
        silo.Time.Advance(TimeSpan.FromSeconds(301));

        Assert.Equal(SpinnakerStatus.Succeeded, await verdict.PollAsync(_http));
    }

    [Fact]
    public async Task Stages_WindowClosesUndecided_VerdictStageTerminal()
    {
        var (register, verdict) = Stages("spin-inconclusive");
        await register.StartAsync(_http);
        await verdict.StartAsync(_http);

        silo.Time.Advance(TimeSpan.FromSeconds(1801));

        Assert.Equal(SpinnakerStatus.Terminal, await verdict.PollAsync(_http));
    }

    [Fact]
    public async Task Stages_TemplateNotStored_RegisterStageTerminal()
    {
        var (register, verdict) = Stages("spin-no-template", template: "never-stored");

        Assert.Equal(SpinnakerStatus.Terminal, await register.StartAsync(_http));
        Assert.Equal(SpinnakerStatus.Terminal, await verdict.StartAsync(_http));
    }

    [Fact]
    public async Task Stages_VerdictOfUnregistered_Terminal()
    {
        var (_, verdict) = Stages("spin-nobody");

        Assert.Equal(SpinnakerStatus.Terminal, await verdict.StartAsync(_http));
    }
}
