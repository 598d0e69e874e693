using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

public sealed class DeploymentGrainTests
{
    internal static RegisterDeploymentInput Input(string id = "d1") => new(
        id, "checkout", "v2",
        [
            new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true),
            new MetricInput("latency", MetricKind.Continuous, Direction.Increase),
        ]);

    private static SamplesInput Ratio(string id, Cohort cohort, long count, long total, string? batchId = null) =>
        new(id, cohort, "errors", Count: count, Total: total, BatchId: batchId);

    private static SamplesInput Values(string id, Cohort cohort, string? batchId, params double[] values) =>
        new(id, cohort, "latency", Values: values, BatchId: batchId);

    [Fact]
    public async Task RegisterAsync_New_CreatesVerifyingDeploymentWithDefaults()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");

        var result = await sut.RegisterAsync(Input(), CancellationToken.None);

        Assert.True(result.Created);
        var d = result.Deployment;
        Assert.Equal(("d1", "checkout", "v2", "production"), (d.Id, d.Service, d.Version, d.Environment));
        Assert.Equal(DeploymentStatus.Verifying, d.Status);
        Assert.Equal(fixture.Time.GetUtcNow(), d.StartedAt);
        Assert.Equal(new AnalysisInput(AnalysisMethod.Sequential, 0.01), d.Analysis);
        Assert.Equal(Direction.Increase, d.Metrics[0].Direction);
        Assert.Equal(Decision.Pending, d.Verdict.Decision);
        Assert.Null(d.Verdict.DecidedAt);
        Assert.Equal([Classification.Nodata, Classification.Nodata], d.Verdict.Metrics.Select(m => m.Classification));
    }

    [Fact]
    public async Task RegisterAsync_SameInputAgain_ReturnsItNotCreated()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        var first = await sut.RegisterAsync(Input(), CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));

        var again = await sut.RegisterAsync(Input() with { Environment = "production" }, CancellationToken.None);

        Assert.False(again.Created);
        Assert.Equal(first.Deployment.StartedAt, again.Deployment.StartedAt);
        Assert.Equal(1, await fixture.WritesAsync(DeploymentGrain.TypeName, "d1"));
    }

    [Fact]
    public async Task RegisterAsync_DifferentInputSameId_ConflictNamesTheField()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);

        var e = await Assert.ThrowsAsync<ConflictException>(() => sut.RegisterAsync(Input() with { Version = "v3" }, CancellationToken.None));

        Assert.Contains("different version", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "id")]
    [InlineData("a b", "id")]
    public async Task RegisterAsync_BadId_InputExceptionNamesField(string id, string field)
    {
        await using var fixture = await RuntimeFixture.StartAsync();

        var e = await Assert.ThrowsAsync<InputException>(() =>
            fixture.Sut.GetGrain<IDeploymentGrain>("d1").RegisterAsync(Input(id), CancellationToken.None));

        Assert.Equal(field, e.Field);
    }

    [Fact]
    public async Task RecordAsync_Batches_SummariesAddUp()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);

        var result = await sut.RecordAsync(
        [
            Ratio("d1", Cohort.Baseline, 2, 100), Ratio("d1", Cohort.Baseline, 3, 50), Ratio("d1", Cohort.Canary, 0, 70),
            Values("d1", Cohort.Canary, null, 10, 20, 60),
        ], CancellationToken.None);
        var d = await sut.GetAsync(CancellationToken.None);

        Assert.Equal((4, 0, 6L), (result.Accepted, result.Duplicates, result.AcceptedValues));
        Assert.Equal(
        [
            new CohortSummary("errors", Cohort.Baseline, 2, 5, 150, null),
            new CohortSummary("errors", Cohort.Canary, 1, 0, 70, null),
            new CohortSummary("latency", Cohort.Canary, 3, null, null, 30),
        ], d!.Summaries);
    }

    [Fact]
    public async Task RecordAsync_KnownBatchId_NotCountedTwiceEvenAfterReactivation()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        await sut.RecordAsync([Ratio("d1", Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await fixture.DeactivateAllAsync());

        var again = await sut.RecordAsync(
            [Ratio("d1", Cohort.Canary, 1, 10, "b1"), Ratio("d1", Cohort.Canary, 5, 10, "b2"), Ratio("d1", Cohort.Canary, 5, 10, "b2")],
            CancellationToken.None);
        var d = await sut.GetAsync(CancellationToken.None);

        Assert.Equal((1, 2), (again.Accepted, again.Duplicates));
        Assert.Equal(new CohortSummary("errors", Cohort.Canary, 2, 6, 20, null), Assert.Single(d!.Summaries));
    }

    [Theory]
    [InlineData("nope", null, 1L, 10L, "metric")]
    [InlineData("errors", null, 11L, 10L, "count")]
    [InlineData("errors", null, -1L, 10L, "count")]
    [InlineData("errors", null, null, 10L, "count")]
    [InlineData("errors", 1.0, 1L, 10L, "values")]
    [InlineData("latency", null, null, null, "values")]
    [InlineData("latency", double.NaN, null, null, "values[0]")]
    [InlineData("latency", double.PositiveInfinity, null, null, "values[0]")]
    public async Task RecordAsync_BadBatch_RejectedWholeNothingStored(string metric, double? value, long? count, long? total, string field)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        var writes = await fixture.WritesAsync(DeploymentGrain.TypeName, "d1");
        SamplesInput bad = new("d1", Cohort.Canary, metric, value is null ? null : [value.Value], count, total);

        var e = await Assert.ThrowsAsync<InputException>(() =>
            sut.RecordAsync([Ratio("d1", Cohort.Baseline, 1, 10), bad], CancellationToken.None));

        Assert.Equal(field, e.Field);
        Assert.Equal(writes, await fixture.WritesAsync(DeploymentGrain.TypeName, "d1"));
        Assert.Empty((await sut.GetAsync(CancellationToken.None))!.Summaries);
    }

    [Fact]
    public async Task RecordAsync_UnknownDeployment_InputException()
    {
        await using var fixture = await RuntimeFixture.StartAsync();

        var e = await Assert.ThrowsAsync<InputException>(() =>
            fixture.Sut.GetGrain<IDeploymentGrain>("zz").RecordAsync([Ratio("zz", Cohort.Canary, 1, 1)], CancellationToken.None));

        Assert.Equal("deploymentId", e.Field);
    }

    [Fact]
    public async Task RecordAsync_StorageFails_NothingCountedAfterReload()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        fixture.Storage.FailNextAppend = new IOException("disk full");

        await Assert.ThrowsAsync<IOException>(() => sut.RecordAsync([Ratio("d1", Cohort.Canary, 1, 10, "b1")], CancellationToken.None));
        var retry = await sut.RecordAsync([Ratio("d1", Cohort.Canary, 1, 10, "b1")], CancellationToken.None);

        Assert.Equal((1, 0), (retry.Accepted, retry.Duplicates));
        Assert.Equal(10, Assert.Single((await sut.GetAsync(CancellationToken.None))!.Summaries).Total);
    }

    [Fact]
    public async Task RecordAsync_Journal_HoldsEveryAcceptedBatchInOrder()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        await sut.RecordAsync([Values("d1", Cohort.Baseline, "v1", 1.5, 2.5), Ratio("d1", Cohort.Canary, 3, 9, "r1")], CancellationToken.None);

        var entries = new List<StoredBatch>();
        await foreach (var e in fixture.Storage.ReadJournalAsync(new StorageKey("deployment", "d1"), 0, CancellationToken.None))
        {
            entries.Add(SampleBatchCodec.Decode(e.Payload.Span));
        }

        Assert.Equal(2, entries.Count);
        Assert.Equal([1.5, 2.5], entries[0].Values!);
        Assert.Equal((Cohort.Canary, "errors", 3L, 9L), (entries[1].Cohort, entries[1].Metric, entries[1].Count, entries[1].Total));
        Assert.Equal(fixture.Time.GetUtcNow(), entries[1].At);
    }

    [Fact]
    public async Task CompleteAsync_Promoted_RecordsFinishAndIsIdempotent()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        var done = await sut.CompleteAsync(DeploymentStatus.Promoted, CancellationToken.None);
        var again = await sut.CompleteAsync(DeploymentStatus.Promoted, CancellationToken.None);

        Assert.Equal(DeploymentStatus.Promoted, done.Status);
        Assert.Equal(fixture.Time.GetUtcNow(), done.FinishedAt);
        Assert.Equal(done.FinishedAt, again.FinishedAt);
        await Assert.ThrowsAsync<ConflictException>(() => sut.CompleteAsync(DeploymentStatus.RolledBack, CancellationToken.None));
        await Assert.ThrowsAsync<InputException>(() => sut.CompleteAsync(DeploymentStatus.Verifying, CancellationToken.None));
    }

    [Fact]
    public async Task OnActivateAsync_JournalAheadOfState_CountsTheEntriesAndContinuesAfterThem()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await sut.RegisterAsync(Input(), CancellationToken.None);
        await sut.RecordAsync([Ratio("d1", Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        Assert.Equal(1, await fixture.DeactivateAllAsync());
        // A crash between the two commits of a write: entry 2 is appended, the state counting it is not written.
        var batch = new StoredBatch(Cohort.Canary, "errors", fixture.Time.GetUtcNow(), 2, 10, null);
        await fixture.Storage.AppendAsync(new StorageKey(DeploymentGrain.TypeName, "d1"),
            [new JournalEntry(2, "b2", SampleBatchCodec.Encode(batch))], CancellationToken.None);

        var retry = await sut.RecordAsync([Ratio("d1", Cohort.Canary, 2, 10, "b2"), Ratio("d1", Cohort.Canary, 3, 10, "b3")], CancellationToken.None);
        var d = (await sut.GetAsync(CancellationToken.None))!;

        Assert.Equal((1, 1), (retry.Accepted, retry.Duplicates));
        Assert.Equal(new CohortSummary("errors", Cohort.Canary, 3, 6, 30, null), d.Summaries.Single(s => s.Cohort == Cohort.Canary));
        var sequences = new List<long>();
        await foreach (var entry in fixture.Storage.ReadJournalAsync(new StorageKey(DeploymentGrain.TypeName, "d1"), 0, CancellationToken.None))
        {
            sequences.Add(entry.Sequence);
        }

        Assert.Equal([1L, 2L, 3L], sequences);
    }
}
