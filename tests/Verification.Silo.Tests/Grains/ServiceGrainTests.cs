using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Grains;

/// <summary>
/// The service grain through the runtime with a manual clock. Target 0.9375 keeps the arithmetic exact in doubles:
/// the error budget 1 − 0.9375 = 0.0625 = 1/16.
/// </summary>
public sealed class ServiceGrainTests
{
    internal static string Yaml(string service = "checkout", string name = "availability", string duration = "30d", string target = "0.9375") => $"""
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: {name}
        spec:
          service: {service}
          indicator:
            metadata:
              name: {name}-ratio
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: Prometheus
                    spec:
                      query: good
                total:
                  metricSource:
                    type: Prometheus
                    spec:
                      query: total
          timeWindow:
            - duration: {duration}
              isRolling: true
          budgetingMethod: Occurrences
          objectives:
            - displayName: Good
              target: {target}
        """;

    internal static SloEventsInput Events(long good, long total, DateTimeOffset? at = null, string? batchId = null, string service = "checkout") =>
        new(service, "availability", good, total, at, batchId);

    private static async Task<Slo> SloAsync(IServiceGrain sut) => Assert.Single((await sut.GetAsync(CancellationToken.None))!.Slos);

    [Fact]
    public async Task ApplySlosAsync_NewThenSameAgain_DefinesOnceWithFullBudget()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");

        var first = await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        var writes = await fixture.WritesAsync(ServiceGrain.TypeName, "checkout");
        var again = await sut.ApplySlosAsync(Yaml(), CancellationToken.None);

        var slo = Assert.Single(first);
        Assert.Equal(("checkout", "availability", 0.9375, "30d rolling"), (slo.Service, slo.Name, slo.Target, slo.Window));
        Assert.Equal((1.0, 0L, 0L, AlertLevel.None), (slo.BudgetRemaining, slo.Good, slo.Total, slo.Alert));
        Assert.Equal(["5m", "30m", "1h", "2h", "6h", "1d", "3d"], slo.BurnRates.Select(r => r.Window));
        Assert.Equal(JsonSerializer.Serialize(slo, ContractJson.Options), JsonSerializer.Serialize(Assert.Single(again), ContractJson.Options));
        Assert.Equal(writes, await fixture.WritesAsync(ServiceGrain.TypeName, "checkout"));
    }

    [Fact]
    public async Task ApplySlosAsync_ChangedTarget_ResetsBuckets()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        await sut.RecordEventsAsync([Events(150, 160)], CancellationToken.None);

        var changed = Assert.Single(await sut.ApplySlosAsync(Yaml(target: "0.875"), CancellationToken.None));

        Assert.Equal((0.875, 0L, 1.0), (changed.Target, changed.Total, changed.BudgetRemaining));
        Assert.Equal(fixture.Time.GetUtcNow(), changed.DefinedAt);
    }

    [Fact]
    public async Task RecordEventsAsync_RollingHourEdge_MinuteLeavesTheWindowExactlyAnHourLater()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(duration: "1h"), CancellationToken.None);
        var t0 = fixture.Time.GetUtcNow(); // 12:00:00

        // 5 bad of 160 at 12:00:30: consumed = 5 / (160 · 1/16) = 0.5.
        await sut.RecordEventsAsync([Events(155, 160, t0.AddSeconds(30))], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromSeconds(3599)); // 12:59:59: the period is the minutes 12:00 … 12:59
        var inside = await SloAsync(sut);
        fixture.Time.Advance(TimeSpan.FromSeconds(1)); // 13:00:00: the period is 12:01 … 13:00
        var outside = await SloAsync(sut);

        Assert.Equal((155L, 160L, 0.5, 0.5), (inside.Good, inside.Total, inside.BudgetConsumed, inside.BudgetRemaining));
        Assert.Equal((t0, t0.AddHours(1)), (inside.PeriodStart, inside.PeriodEnd));
        Assert.Equal((0L, 0L, 1.0), (outside.Good, outside.Total, outside.BudgetRemaining));
        Assert.Equal((t0.AddMinutes(1), t0.AddMinutes(61)), (outside.PeriodStart, outside.PeriodEnd));
    }

    [Fact]
    public async Task RecordEventsAsync_LateEvent_CountedInItsOwnMinute()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        var t0 = fixture.Time.GetUtcNow();
        fixture.Time.Advance(TimeSpan.FromMinutes(30)); // 12:30

        // 10 bad of 160 stamped 12:10, arriving at 12:30: outside the 5 m window, inside the 30 m one (12:01 … 12:30).
        await sut.RecordEventsAsync([Events(150, 160, t0.AddMinutes(10))], CancellationToken.None);
        var slo = await SloAsync(sut);

        // Burn rate = (10 / 160) / (1/16) = 1.
        Assert.Equal([0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], slo.BurnRates.Select(r => r.Rate));
        // consumed = 10 / (160 / 16) = 1: the budget is exactly spent.
        Assert.Equal(0.0, slo.BudgetRemaining);
        Assert.Equal(0.0, slo.TimeToExhaustionHours);
    }

    [Theory]
    [InlineData(-3 * 24 * 60 - 2, "too old")]
    [InlineData(6, "in the future")]
    public async Task RecordEventsAsync_EventOutsideAcceptedTimes_InputErrorOnAtAndNothingStored(int minutes, string reason)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(duration: "1h"), CancellationToken.None);
        var writes = await fixture.WritesAsync(ServiceGrain.TypeName, "checkout");
        var now = fixture.Time.GetUtcNow();

        var error = await Assert.ThrowsAsync<InputException>(() =>
            sut.RecordEventsAsync([Events(1, 1, now), Events(1, 1, now.AddMinutes(minutes))], CancellationToken.None));

        Assert.Equal("at", error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(writes, await fixture.WritesAsync(ServiceGrain.TypeName, "checkout"));
        Assert.Equal(0L, (await SloAsync(sut)).Total);
    }

    [Fact]
    public async Task RecordEventsAsync_OldestAcceptedMinute_Counted()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(duration: "1h"), CancellationToken.None);
        var now = fixture.Time.GetUtcNow();

        // 1 h rolling keeps max(1 h, 3 d) + 1 minute = 4321 buckets: the oldest accepted minute starts 4320 minutes ago.
        var window = Assert.Single(await sut.GetEventWindowsAsync(CancellationToken.None));
        var result = await sut.RecordEventsAsync([Events(1, 1, now.AddMinutes(-4320))], CancellationToken.None);

        Assert.Equal((now.AddMinutes(-4320), now.AddMinutes(5)), (window.OldestAccepted, window.NewestAccepted));
        Assert.Equal(new SloEventsResult(1, 0), result);
    }

    [Fact]
    public async Task RecordEventsAsync_BatchIdsAcrossSnapshotAndReactivation_CountedOnce()
    {
        using var directory = new TempDirectory();
        var bulk = Enumerable.Range(0, ServiceGrain.SnapshotEveryEntries).Select(i => Events(1, 1, batchId: $"bulk-{i}")).ToList();
        await using (var fixture = await RuntimeFixture.StartAsync(directory.Path))
        {
            var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
            await sut.ApplySlosAsync(Yaml(), CancellationToken.None); // journal 1: snapshot (empty)
            await sut.RecordEventsAsync(bulk, CancellationToken.None); // journal 2 … 1001
            fixture.Time.Advance(TimeSpan.FromMinutes(1));
            await sut.RecordEventsAsync([Events(90, 100, batchId: "b1")], CancellationToken.None); // 1002 snapshot, 1003 b1
            fixture.Time.Advance(TimeSpan.FromMinutes(1));
            await sut.RecordEventsAsync([Events(80, 100, batchId: "b2")], CancellationToken.None); // 1004 b2
        }

        await using var reactivated = await RuntimeFixture.StartAsync(directory.Path);
        var state = JsonSerializer.Deserialize<ServiceState>(
            (await reactivated.Storage.ReadAsync(new StorageKey(ServiceGrain.TypeName, "checkout"), CancellationToken.None))!.Json, ContractJson.Options)!;
        Assert.Equal((1002L, 1005L), (state.SnapshotSequence, state.NextSequence));

        reactivated.Time.Advance(TimeSpan.FromMinutes(3));
        var again = reactivated.Sut.GetGrain<IServiceGrain>("checkout");
        var resent = await again.RecordEventsAsync([bulk[0], Events(80, 100, batchId: "b2"), Events(50, 100, batchId: "b3")], CancellationToken.None);
        var slo = await SloAsync(again);

        Assert.Equal(new SloEventsResult(1, 2), resent);
        // Snapshot (bulk, 1000 of 1000) + replay (b1, b2) + b3, each counted once.
        Assert.Equal((1220L, 1300L), (slo.Good, slo.Total));
    }

    [Fact]
    public async Task OnActivateAsync_AfterIdempotencyHorizon_ReplaysFromSnapshotOnlyAndJournalStillRefusesOldIds()
    {
        using var directory = new TempDirectory();
        var bulk = Enumerable.Range(0, ServiceGrain.SnapshotEveryEntries).Select(i => Events(1, 1, batchId: $"bulk-{i}")).ToList();
        await using (var fixture = await RuntimeFixture.StartAsync(directory.Path))
        {
            var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
            await sut.ApplySlosAsync(Yaml(), CancellationToken.None); // checkpoint (1, t0), snapshot 1
            await sut.RecordEventsAsync(bulk, CancellationToken.None); // 2 … 1001
            fixture.Time.Advance(TimeSpan.FromHours(2));
            await sut.RecordEventsAsync([Events(90, 100, batchId: "b1")], CancellationToken.None); // checkpoint (1002, t0 + 2 h), snapshot 1002, b1 1003
            fixture.Time.Advance(TimeSpan.FromHours(25));
            await sut.RecordEventsAsync([Events(80, 100, batchId: "b2")], CancellationToken.None); // checkpoint (1004, t0 + 27 h), b2 1004
        }

        await using var reactivated = await RuntimeFixture.StartAsync(directory.Path);
        reactivated.Time.Advance(TimeSpan.FromHours(27));
        var again = reactivated.Sut.GetGrain<IServiceGrain>("checkout");
        var resent = await again.RecordEventsAsync([Events(90, 100, batchId: "b1"), bulk[0], Events(50, 100, batchId: "b3")], CancellationToken.None);
        var slo = await SloAsync(again);

        // The horizon starts at checkpoint (1002, t0 + 2 h), the snapshot is 1002: activation read 1002 … 1004 only.
        Assert.Equal(3, reactivated.Storage.JournalEntriesRead);
        // b1 is remembered; bulk-0 (entry 2) is forgotten in memory but refused by the journal's unique batch id.
        Assert.Equal(new SloEventsResult(1, 2), resent);
        Assert.Equal((1220L, 1300L), (slo.Good, slo.Total));
    }

    [Fact]
    public async Task RecordEventsAsync_SameBatchIdTwiceInOneCall_SecondIsDuplicate()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);

        var result = await sut.RecordEventsAsync([Events(1, 2, batchId: "x"), Events(1, 2, batchId: "x")], CancellationToken.None);

        Assert.Equal(new SloEventsResult(1, 1), result);
        Assert.Equal(2L, (await SloAsync(sut)).Total);
    }

    [Fact]
    public async Task RecordEventsAsync_UnknownSlo_InputErrorOnSlo()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InputException>(() =>
            sut.RecordEventsAsync([Events(1, 1) with { Slo = "latency" }], CancellationToken.None));

        Assert.Equal(("slo", "service 'checkout' has no SLO 'latency'"), (error.Field, error.Reason));
    }

    [Fact]
    public async Task CheckReleaseAsync_BudgetSpent_BlocksNamingSloAndNumbers()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        // 20 bad of 160: consumed = 20 / 10 = 2, remaining −1; burn rate 2 everywhere: above the 3 d / 6 h factor 1 → TICKET.
        await sut.RecordEventsAsync([Events(140, 160)], CancellationToken.None);

        var gate = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        Assert.False(gate.Allowed);
        Assert.Equal(("availability", -1.0, AlertLevel.Ticket), (gate.Slo, gate.BudgetRemaining, gate.Alert));
        Assert.Equal("SLO 'availability' of service 'checkout' blocks promotion: its error budget remaining is -100.0 % (the policy needs more than 0.0 %).",
            gate.Reason);
    }

    [Fact]
    public async Task CheckReleaseAsync_PolicyAllowsSpentBudget_Allowed()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        // 10 bad of 160: remaining exactly 0, burn rate 1 (not above the ticket factor 1).
        await sut.RecordEventsAsync([Events(150, 160)], CancellationToken.None);

        await sut.SetPolicyAsync(new ReleasePolicy(MinBudgetRemaining: -0.5), CancellationToken.None);
        var gate = await sut.CheckReleaseAsync("d1", CancellationToken.None);

        Assert.Equal((true, "No SLO of service 'checkout' blocks promotion."), (gate.Allowed, gate.Reason));
    }

    [Fact]
    public async Task DeploymentCompletedAsync_PageWithinWindowAfterPromotion_OpensOneIncident()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        var promotedAt = fixture.Time.GetUtcNow();
        await sut.DeploymentCompletedAsync(new DeploymentCompletion("d1", DeploymentStatus.Promoted, promotedAt), CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(10));

        // All 100 bad: burn rate (100/100) / (1/16) = 16 > 14.4 in 5 m and 1 h → PAGE.
        await sut.RecordEventsAsync([Events(0, 100)], CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await sut.RecordEventsAsync([Events(0, 100)], CancellationToken.None);
        var service = await sut.GetAsync(CancellationToken.None);

        var incident = Assert.Single(service!.Incidents);
        Assert.Equal(
            new Incident("checkout-1", "checkout", "SLO 'availability' paged 10 min after deployment 'd1' was promoted", "d1",
                IncidentSource.SloPage, "availability", promotedAt.AddMinutes(10), null, null),
            incident);
        Assert.Equal(AlertLevel.Page, Assert.Single(service.Slos).Alert);
    }

    [Fact]
    public async Task DeploymentCompletedAsync_PageAfterWindow_NoIncident()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        await sut.DeploymentCompletedAsync(new DeploymentCompletion("d1", DeploymentStatus.Promoted, fixture.Time.GetUtcNow()), CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromMinutes(ReleasePolicy.DefaultIncidentWindowMinutes + 1));

        await sut.RecordEventsAsync([Events(0, 100)], CancellationToken.None);

        Assert.Empty((await sut.GetAsync(CancellationToken.None))!.Incidents);
    }

    [Fact]
    public async Task ResolveIncidentAsync_OpenThenResolve_ResolvedWithFix()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        var opened = await sut.OpenIncidentAsync(new OpenIncidentInput("checkout", "Checkout down", "d1"), CancellationToken.None);
        fixture.Time.Advance(TimeSpan.FromHours(2));

        var resolved = await sut.ResolveIncidentAsync(opened.Id, new ResolveIncidentInput(FixedByDeploymentId: "d2"), CancellationToken.None);
        var again = await sut.ResolveIncidentAsync(opened.Id, new ResolveIncidentInput(), CancellationToken.None);

        Assert.Equal("checkout-1", opened.Id);
        Assert.Equal(opened with { ResolvedAt = opened.OpenedAt.AddHours(2), FixedByDeploymentId = "d2" }, resolved);
        Assert.Equal(resolved, again);
        await Assert.ThrowsAsync<NotFoundException>(() => sut.ResolveIncidentAsync("checkout-2", new ResolveIncidentInput(), CancellationToken.None));
    }
}
