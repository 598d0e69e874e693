using Verification.Silo.Storage;
using Verification.Silo.Storage.Migrations;

namespace Verification.Silo.Tests.Storage;

public sealed class SchemaMigrationPlanTests
{
    private static readonly SchemaMigration[] Known =
    [
        new(1, "0001_a", "select 1"),
        new(2, "0002_b", "select 2"),
        new(3, "0003_c", "select 3"),
    ];

    [Fact]
    public void Pending_PartlyMigrated_ReturnsTheRestInOrder()
    {
        var pending = SchemaMigrationPlan.Pending(Known, [1]);

        Assert.Equal(["0002_b", "0003_c"], pending.Select(m => m.Name));
    }

    [Fact]
    public void Pending_UpToDate_ReturnsNothing()
    {
        Assert.Empty(SchemaMigrationPlan.Pending(Known, [1, 2, 3]));
    }

    [Fact]
    public void Pending_VersionGap_Throws()
    {
        SchemaMigration[] gap = [new(1, "0001_a", ""), new(3, "0003_c", "")];

        var error = Assert.Throws<InvalidOperationException>(() => SchemaMigrationPlan.Pending(gap, []));

        Assert.Equal("Schema migration '0003_c' has version 3; expected 2 (versions are dense, from 1).", error.Message);
    }

    [Fact]
    public void ProviderScripts_BothProviders_AreDenseAndSqliteIsPostgresWithoutClustering()
    {
        Assert.Equal(SqliteMigrations.All.Take(2).Select(m => (m.Version, m.Name)), PostgresMigrations.All.Take(2).Select(m => (m.Version, m.Name)));
        Assert.Equal((3, "0003_orleans_clustering"), (PostgresMigrations.All[2].Version, PostgresMigrations.All[2].Name));
        Assert.Equal((3, "0003_no_cluster_membership"), (SqliteMigrations.All[2].Version, SqliteMigrations.All[2].Name));
        Assert.Equal((4, "0004_orleans_reminders"), (SqliteMigrations.All[3].Version, SqliteMigrations.All[3].Name));
        Assert.Equal((4, "0004_orleans_reminders"), (PostgresMigrations.All[3].Version, PostgresMigrations.All[3].Name));
        Assert.Equal((5, "0005_webhook_delivery"), (SqliteMigrations.All[4].Version, SqliteMigrations.All[4].Name));
        Assert.Equal(SqliteMigrations.All[4], PostgresMigrations.All[4] with { Sql = SqliteMigrations.All[4].Sql });
        Assert.Equal((5, 5), (SqliteMigrations.All.Count, PostgresMigrations.All.Count));
        Assert.Empty(SchemaMigrationPlan.Pending(SqliteMigrations.All, [.. SqliteMigrations.All.Select(m => (long)m.Version)]));
        Assert.Empty(SchemaMigrationPlan.Pending(PostgresMigrations.All, [.. PostgresMigrations.All.Select(m => (long)m.Version)]));
    }
}
