using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

/// <summary>
/// A record that changes only counts appends its journal alone (Grains:StateWriteSeconds): the state row is written later,
/// by the grain's timer, on deactivation, or with the next write needed anyway; nothing acknowledged is lost on the way.
/// </summary>
public sealed class DeferredStateWriteTests
{
    private const string Id = "d1";

    private static SamplesInput Ratio(Cohort cohort, long count, long total, string? batchId = null) =>
        new(Id, cohort, "errors", Count: count, Total: total, BatchId: batchId);

    [Fact]
    public async Task RecordAsync_OnlyCountsChange_RowNotWrittenUntilTheTimer()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 1);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);

        var result = await sut.RecordAsync([Ratio(Cohort.Baseline, 1, 100, "b1"), Ratio(Cohort.Canary, 2, 100, "b2")], CancellationToken.None);
        var writesAfterRecord = await fixture.WritesAsync(DeploymentGrain.TypeName, Id);
        var rowAfterRecord = await fixture.StoredDeploymentAsync(Id);
        var read = (await sut.GetAsync(CancellationToken.None))!;

        Assert.Equal((2, Decision.Pending), (result.Accepted, result.Verdict.Decision));
        Assert.Equal(1, writesAfterRecord);
        Assert.Equal((1L, 0), (rowAfterRecord.NextSequence, rowAfterRecord.Summaries.Count));
        Assert.Equal([100L, 100L], read.Summaries.Select(s => s.Total));
        await PollAsync(fixture, async () => await fixture.WritesAsync(DeploymentGrain.TypeName, Id) == 2);
        var row = await fixture.StoredDeploymentAsync(Id);
        Assert.Equal((3L, 2), (row.NextSequence, row.Summaries.Count));
        Assert.Equal(read.Verdict.Metrics, row.Verdict.Metrics);
    }

    [Fact]
    public async Task RecordAsync_Deactivated_UnwrittenRowWrittenOnDeactivation()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 3600);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);
        await sut.RecordAsync([Ratio(Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        await sut.RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2")], CancellationToken.None);
        var writesBefore = await fixture.WritesAsync(DeploymentGrain.TypeName, Id);

        Assert.Equal(1, await fixture.DeactivateAllAsync());

        var row = await fixture.StoredDeploymentAsync(Id);
        Assert.Equal((1L, 2L), (writesBefore, await fixture.WritesAsync(DeploymentGrain.TypeName, Id)));
        Assert.Equal(3L, row.NextSequence);
        Assert.Equal(new SummaryState("errors", Cohort.Canary, 2, 3, 20, 0), Assert.Single(row.Summaries));
    }

    [Fact]
    public async Task RecordAsync_RestartWithRowBehind_ListingAndReadCountEveryAcknowledgedBatch()
    {
        using var directory = new TempDirectory();
        var key = new StorageKey(DeploymentGrain.TypeName, Id);
        StoredState lagging;
        await using (var first = await RuntimeFixture.StartAsync(directory.Path, stateWriteSeconds: 3600))
        {
            var grain = first.Sut.GetGrain<IDeploymentGrain>(Id);
            await grain.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);
            await grain.RecordAsync([Ratio(Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
            await grain.RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2")], CancellationToken.None);
            lagging = (await first.Storage.ReadAsync(key, CancellationToken.None))!;
        }

        await using var sut = await RuntimeFixture.StartAsync(directory.Path, stateWriteSeconds: 3600);
        // The row as a crash leaves it: the journal holds b1 and b2, the row counts neither (the write at shutdown undone).
        await sut.ExecuteSqlAsync($"UPDATE grain_state SET state = '{lagging.Json.Replace("'", "''", StringComparison.Ordinal)}' WHERE grain_type = 'deployment' AND grain_key = '{Id}'");

        var restored = await sut.StoredDeploymentAsync(Id);
        var listed = Assert.Single(await new DeploymentDirectory(sut.Storage, sut.Sut).ListAsync(new DeploymentFilter(), 10, null, CancellationToken.None));
        var again = await sut.Sut.GetGrain<IDeploymentGrain>(Id).RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2")], CancellationToken.None);

        Assert.Equal((1L, 0), (restored.NextSequence, restored.Summaries.Count));
        Assert.Equal(new CohortSummary("errors", Cohort.Canary, 2, 3, 20, null), Assert.Single(listed.Summaries));
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
    }

    [Fact]
    public async Task DeferredWrite_RowMovedByAnotherActivation_RefusedNotOverwrittenAndJournalKeepsTheBatch()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 3600);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);
        await sut.RecordAsync([Ratio(Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        // Another activation (a membership change) wrote the row since this one read it.
        await fixture.ExecuteSqlAsync($"UPDATE grain_state SET version = version + 1 WHERE grain_type = 'deployment' AND grain_key = '{Id}'");

        Assert.Equal(1, await fixture.DeactivateAllAsync());
        var rowAfter = await fixture.StoredDeploymentAsync(Id);
        var writesAfter = await fixture.WritesAsync(DeploymentGrain.TypeName, Id);
        var read = (await sut.GetAsync(CancellationToken.None))!;

        Assert.Equal((2L, 1L), (writesAfter, rowAfter.NextSequence));
        Assert.Equal(new CohortSummary("errors", Cohort.Canary, 1, 1, 10, null), Assert.Single(read.Summaries));
    }

    [Fact]
    public async Task RecordAsync_SequenceTakenByAnotherActivation_InconsistentStateThenRetryCountsOnce()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 3600);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);
        await sut.RecordAsync([Ratio(Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        // Another activation appended sequence 2 (its own batch): this activation's next append collides with it.
        var theirs = new StoredBatch(Cohort.Canary, "errors", fixture.Time.GetUtcNow(), 4, 10, null);
        await fixture.Storage.AppendAsync(new StorageKey(DeploymentGrain.TypeName, Id), [new JournalEntry(2, "theirs", SampleBatchCodec.Encode(theirs))],
            CancellationToken.None);

        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(() =>
            sut.RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2")], CancellationToken.None));
        var retry = await sut.RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2"), Ratio(Cohort.Canary, 4, 10, "theirs")], CancellationToken.None);

        Assert.Equal((1, 1), (retry.Accepted, retry.Duplicates));
        Assert.Equal(new CohortSummary("errors", Cohort.Canary, 3, 7, 30, null), Assert.Single((await sut.GetAsync(CancellationToken.None))!.Summaries));
    }

    [Fact]
    public async Task RecordAsync_DecisionChanges_RowWrittenWithTheRecord()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 3600);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);

        var result = await sut.RecordAsync([Ratio(Cohort.Baseline, 0, 10_000), Ratio(Cohort.Canary, 20, 10_000)], CancellationToken.None);

        var row = await fixture.StoredDeploymentAsync(Id);
        Assert.Equal(Decision.Rollback, result.Verdict.Decision);
        Assert.Equal((Decision.Rollback, 3L), (row.Verdict.Decision, row.NextSequence));
        Assert.Equal(2, await fixture.WritesAsync(DeploymentGrain.TypeName, Id));
    }

    [Fact]
    public async Task RecordAsync_StateWriteSecondsZero_EveryRecordWritesTheRow()
    {
        await using var fixture = await RuntimeFixture.StartAsync(stateWriteSeconds: 0);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>(Id);
        await sut.RegisterAsync(DeploymentGrainTests.Input(Id), CancellationToken.None);

        await sut.RecordAsync([Ratio(Cohort.Canary, 1, 10, "b1")], CancellationToken.None);
        await sut.RecordAsync([Ratio(Cohort.Canary, 2, 10, "b2")], CancellationToken.None);

        Assert.Equal(3, await fixture.WritesAsync(DeploymentGrain.TypeName, Id));
        Assert.Equal(3L, (await fixture.StoredDeploymentAsync(Id)).NextSequence);
    }

    /// <summary>Polls <paramref name="done"/> with a deadline, moving the manual clock a second per look.</summary>
    private static async Task PollAsync(RuntimeFixture fixture, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not done within 20 s");
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }
    }
}
