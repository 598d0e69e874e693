using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Storage;

/// <summary>
/// Our grains on a real Orleans silo whose ADO.NET grain storage (invariant Npgsql) and journal are in PostgreSQL.
/// Skipped when VERIFICATION_TEST_POSTGRES is not set, failed instead under CI=true.
/// </summary>
[RequiresEnvironment(PostgresDatabaseFixture.Variable)]
public sealed class PostgresGrainsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [StorageFact]
    public async Task DeploymentGrain_RecordDeactivateReactivate_SameSummariesAndBatchIdsRemembered()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        await using var fixture = await RuntimeFixture.StartAsync(postgres: connectionString);
        // A key Orleans' ADO.NET storage would read as the hexadecimal number 0xD1, like "d1": both must stay apart.
        var upper = fixture.Sut.GetGrain<IDeploymentGrain>("D1");
        var lower = fixture.Sut.GetGrain<IDeploymentGrain>("d1");
        await upper.RegisterAsync(Input("D1"), CancellationToken.None);
        await lower.RegisterAsync(Input("d1"), CancellationToken.None);
        await upper.RecordAsync([Errors("D1", 1, 10, "b1"), Errors("D1", 2, 10, "b2")], CancellationToken.None);
        await lower.RecordAsync([Errors("d1", 5, 10, "b1")], CancellationToken.None);

        Assert.Equal(2, await fixture.DeactivateAllAsync());
        var again = await upper.RecordAsync([Errors("D1", 2, 10, "b2"), Errors("D1", 4, 10, "b3")], CancellationToken.None);
        var d = (await upper.GetAsync(CancellationToken.None))!;

        Assert.Equal((1, 1), (again.Accepted, again.Duplicates));
        Assert.Equal([new CohortSummary("errors", Cohort.Canary, 3, 7, 30, null)], d.Summaries);
        Assert.Equal([new CohortSummary("errors", Cohort.Canary, 1, 5, 10, null)], (await lower.GetAsync(CancellationToken.None))!.Summaries);
        // Registration, then the records' counts written once, on deactivation (the last record's row is not written yet).
        Assert.Equal(2, await fixture.WritesAsync(DeploymentGrain.TypeName, "D1"));
    }

    [StorageFact]
    public async Task TemplateGrain_PutRestartGet_SameTemplateAndListed()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync();
        AnalysisTemplate stored;
        await using (var first = await RuntimeFixture.StartAsync(postgres: connectionString))
        {
            stored = (await first.Sut.GetGrain<ITemplateGrain>("web").PutAsync(Grains.TemplateGrainTests.Web(), CancellationToken.None)).Template;
            Assert.True(await first.Sut.GetGrain<ITemplateGrain>("gone").PutAsync(Grains.TemplateGrainTests.Web(), CancellationToken.None)
                is { Created: true });
            Assert.True(await first.Sut.GetGrain<ITemplateGrain>("gone").DeleteAsync(CancellationToken.None));
        }

        await using var second = await RuntimeFixture.StartAsync(postgres: connectionString);
        var read = (await second.Sut.GetGrain<ITemplateGrain>("web").GetAsync(CancellationToken.None))!;
        var listed = await new TemplateDirectory(second.Storage).ListAsync(CancellationToken.None);

        Assert.Equal(stored.Metrics, read.Metrics);
        Assert.Equal((stored.Name, stored.Analysis, stored.UpdatedAt), (read.Name, read.Analysis, read.UpdatedAt));
        Assert.Equal(["web"], listed.Select(t => t.Name));
        Assert.Null(await second.Sut.GetGrain<ITemplateGrain>("gone").GetAsync(CancellationToken.None));
    }

    private static RegisterDeploymentInput Input(string id) =>
        new(id, "checkout", "v2", [new MetricInput("errors", MetricKind.Ratio, Direction.Increase)]);

    private static SamplesInput Errors(string id, long count, long total, string batchId) =>
        new(id, Cohort.Canary, "errors", Count: count, Total: total, BatchId: batchId);
}
