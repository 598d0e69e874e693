using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

/// <summary>Analysis templates on a real silo: stored like every grain, kept across a restart, merged into registrations.</summary>
public sealed class TemplateGrainTests
{
    internal static TemplateInput Web() => new(
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true, AllowedChange: 0.5),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase, AllowedChange: 0.2),
        ],
        new AnalysisInput(MinDurationSeconds: 60, MaxDurationSeconds: 1800));

    [Fact]
    public async Task PutAsync_NewThenReplaced_CreatedThenNotAndDefaultsApplied()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<ITemplateGrain>("web");

        var first = await sut.PutAsync(new TemplateInput([new MetricInput("errors", MetricKind.Ratio)]), CancellationToken.None);
        var second = await sut.PutAsync(Web(), CancellationToken.None);

        Assert.True(first.Created);
        Assert.Equal(new AnalysisInput(AnalysisMethod.Sequential, 0.01, null, null), first.Template.Analysis);
        Assert.False(second.Created);
        Assert.Equal("web", second.Template.Name);
        Assert.Equal(Web().Metrics, second.Template.Metrics);
        Assert.Equal(fixture.Time.GetUtcNow(), second.Template.UpdatedAt);
    }

    [Fact]
    public async Task PutAsync_BadMetric_InputExceptionNamingFieldAndNothingStored()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<ITemplateGrain>("web");

        var e = await Assert.ThrowsAsync<InputException>(() => sut.PutAsync(
            new TemplateInput([new MetricInput("errors", MetricKind.Ratio), new MetricInput("errors", MetricKind.Continuous)]),
            CancellationToken.None));

        Assert.Equal("metrics[1].name", e.Field);
        Assert.Null(await sut.GetAsync(CancellationToken.None));
        Assert.Equal(0, await fixture.WritesAsync(TemplateGrain.TypeName, "web"));
    }

    [Fact]
    public async Task DeleteAsync_ThenPutAgainInSameActivation_GoneThenBackAndListedOnlyWhenPresent()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<ITemplateGrain>("web");
        var directory = new TemplateDirectory(fixture.Storage);
        await sut.PutAsync(Web(), CancellationToken.None);
        await fixture.Sut.GetGrain<ITemplateGrain>("api").PutAsync(Web(), CancellationToken.None);

        Assert.True(await sut.DeleteAsync(CancellationToken.None));
        Assert.False(await sut.DeleteAsync(CancellationToken.None));
        var whileDeleted = await directory.ListAsync(CancellationToken.None);
        var again = await sut.PutAsync(Web(), CancellationToken.None);

        Assert.Equal(["api"], whileDeleted.Select(t => t.Name));
        Assert.True(again.Created);
        Assert.Equal(["api", "web"], (await directory.ListAsync(CancellationToken.None)).Select(t => t.Name));
    }

    [Fact]
    public async Task GetAsync_AfterRestart_SameTemplateFromSqlite()
    {
        using var directory = new TempDirectory();
        AnalysisTemplate stored;
        await using (var first = await RuntimeFixture.StartAsync(directory.Path))
        {
            stored = (await first.Sut.GetGrain<ITemplateGrain>("web").PutAsync(Web(), CancellationToken.None)).Template;
        }

        await using var second = await RuntimeFixture.StartAsync(directory.Path);
        var read = (await second.Sut.GetGrain<ITemplateGrain>("web").GetAsync(CancellationToken.None))!;

        Assert.Equal(stored.Metrics, read.Metrics);
        Assert.Equal((stored.Name, stored.Analysis, stored.UpdatedAt), (read.Name, read.Analysis, read.UpdatedAt));
        Assert.Equal(["web"], (await new TemplateDirectory(second.Storage).ListAsync(CancellationToken.None)).Select(t => t.Name));
    }

    [Fact]
    public async Task RegisterAsync_WithTemplate_TemplateMetricsReplacedByNameOwnAppendedTemplateAnalysis()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Sut.GetGrain<ITemplateGrain>("web").PutAsync(Web(), CancellationToken.None);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");

        var result = await sut.RegisterAsync(new RegisterDeploymentInput("d1", "checkout", "v2",
            [
                new MetricInput("cpu", MetricKind.Continuous),
                new MetricInput("latency", MetricKind.Continuous, Direction.Increase, AllowedChange: 0.5),
            ],
            Template: "web"), CancellationToken.None);

        Assert.Equal(["errors", "latency", "cpu"], result.Deployment.Metrics.Select(m => m.Name));
        Assert.Equal(0.5, result.Deployment.Metrics[0].AllowedChange);
        Assert.True(result.Deployment.Metrics[0].Critical);
        Assert.Equal(0.5, result.Deployment.Metrics[1].AllowedChange);
        Assert.Equal(new AnalysisInput(AnalysisMethod.Sequential, 0.01, 60, 1800), result.Deployment.Analysis);
    }

    [Fact]
    public async Task RegisterAsync_TemplateAndOwnAnalysis_OwnAnalysisWholeAndRepeatIsSame()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Sut.GetGrain<ITemplateGrain>("web").PutAsync(Web(), CancellationToken.None);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        var input = new RegisterDeploymentInput("d1", "checkout", "v2", Analysis: new AnalysisInput(MinDurationSeconds: 0), Template: "web");

        var first = await sut.RegisterAsync(input, CancellationToken.None);
        var repeat = await sut.RegisterAsync(input, CancellationToken.None);

        Assert.Equal(new AnalysisInput(AnalysisMethod.Sequential, 0.01, 0, null), first.Deployment.Analysis);
        Assert.Equal(["errors", "latency"], first.Deployment.Metrics.Select(m => m.Name));
        Assert.True(first.Created);
        Assert.False(repeat.Created);
    }

    [Fact]
    public async Task RegisterAsync_TemplateChangedSinceFirstRegistration_ConflictOnMetrics()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var template = fixture.Sut.GetGrain<ITemplateGrain>("web");
        await template.PutAsync(Web(), CancellationToken.None);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        var input = new RegisterDeploymentInput("d1", "checkout", "v2", Template: "web");
        await sut.RegisterAsync(input, CancellationToken.None);
        await template.PutAsync(Web() with { Metrics = [new MetricInput("errors", MetricKind.Ratio)] }, CancellationToken.None);

        var e = await Assert.ThrowsAsync<ConflictException>(() => sut.RegisterAsync(input, CancellationToken.None));

        Assert.Equal("metrics", e.Field);
        Assert.Equal(["errors", "latency"], (await sut.GetAsync(CancellationToken.None))!.Metrics.Select(m => m.Name));
    }

    [Fact]
    public async Task RegisterAsync_UnknownTemplateOrNoMetrics_InputExceptionNamingField()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");

        var unknown = await Assert.ThrowsAsync<InputException>(() => sut.RegisterAsync(
            new RegisterDeploymentInput("d1", "checkout", "v2", Template: "nope"), CancellationToken.None));
        var none = await Assert.ThrowsAsync<InputException>(() => sut.RegisterAsync(
            new RegisterDeploymentInput("d1", "checkout", "v2"), CancellationToken.None));

        Assert.Equal("template", unknown.Field);
        Assert.Equal("no template 'nope' (store it with PUT /v1/templates/nope first)", unknown.Reason);
        Assert.Equal("metrics", none.Field);
        Assert.Null(await sut.GetAsync(CancellationToken.None));
    }
}
