using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;
using static Verification.Silo.Tests.Grains.ServiceGrainTests;

namespace Verification.Silo.Tests.Grains;

/// <summary>
/// The verdict clock on a real in-process silo: Orleans reminders (stored by our SQL in the SQLite file) and grain timers
/// judge time-only changes with no read arriving. The grains' clock is manual; reminders and timers fire in real time.
/// Two silos and a silo's death: Cluster/VerdictClockClusterTests.
/// </summary>
public sealed class VerdictClockTests
{
    private static RegisterDeploymentInput Input(string id, int? minSeconds = null, int? maxSeconds = null) => new(
        id, "checkout", "v2", [new MetricInput("errors", MetricKind.Ratio, Direction.Increase, Critical: true)],
        Analysis: new AnalysisInput(MinDurationSeconds: minSeconds, MaxDurationSeconds: maxSeconds));

    [Fact]
    public async Task Reminder_WindowClosesWithoutReads_StoresPushesInconclusiveAndRemovesReminder()
    {
        await using var fixture = await RuntimeFixture.StartAsync(clockSeconds: 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var pushed = fixture.Feed.SubscribeAsync("w1", cts.Token).GetAsyncEnumerator(cts.Token);
        await fixture.Sut.GetGrain<IDeploymentGrain>("w1").RegisterAsync(Input("w1", maxSeconds: 2), cts.Token);

        // The reminder is due 2 s (real time) after the registration; the grains' clock has passed the window by then.
        fixture.Time.Advance(TimeSpan.FromSeconds(3));
        await fixture.Sut.GetGrain<IDeploymentGrain>("idle").RegisterAsync(Input("idle"), cts.Token);
        var scheduled = await RemindersAsync(fixture);

        Assert.Equal(["deployment/w1"], scheduled);
        Assert.Equal(Decision.Inconclusive, await FirstDecidedAsync(pushed));
        Assert.Equal(Decision.Inconclusive, (await StoredAsync(fixture, "w1")).Verdict.Decision);
        Assert.Null((await StoredAsync(fixture, "w1")).ClockAt);
        Assert.Equal(Decision.Pending, (await StoredAsync(fixture, "idle")).Verdict.Decision);
        await PollAsync(async () => (await RemindersAsync(fixture)).Count == 0, cts.Token);
    }

    [Fact]
    public async Task Timer_HeldPromotionReleasedByBudget_PromotesWithoutReads()
    {
        await using var fixture = await RuntimeFixture.StartAsync(clockSeconds: 1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await service.ApplySlosAsync(Yaml(), cts.Token);
        await service.RecordEventsAsync([Events(140, 160)], cts.Token);
        var sut = fixture.Sut.GetGrain<IDeploymentGrain>("h1");
        // Short durations: a jump of the manual clock past Grains:IdleTimeoutSeconds (600 s) would let Orleans collect the
        // activation, timer and all.
        await sut.RegisterAsync(Input("h1", minSeconds: 60), cts.Token);
        await sut.RecordAsync(
            [new("h1", Cohort.Baseline, "errors", Count: 20_000, Total: 2_000_000), new("h1", Cohort.Canary, "errors", Count: 20_000, Total: 2_000_000)],
            cts.Token);
        fixture.Time.Advance(TimeSpan.FromSeconds(61));
        await using var pushed = fixture.Feed.SubscribeAsync("h1", cts.Token).GetAsyncEnumerator(cts.Token);
        var held = (await sut.GetAsync(cts.Token))!.Verdict;

        // The budget recovers; nobody reads the deployment.
        await service.RecordEventsAsync([Events(480, 480)], cts.Token);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal((Decision.Pending, false), (held.Decision, held.Gate!.Allowed));
        Assert.Equal(Decision.Promote, await FirstDecidedAsync(pushed));
        Assert.Equal(Decision.Promote, (await StoredAsync(fixture, "h1")).Verdict.Decision);
        await PollAsync(async () => (await RemindersAsync(fixture)).Count == 0, cts.Token);
    }

    [Fact]
    public async Task Sweep_DeploymentStoredWithoutReminder_SchedulesItOnceAndLaterSweepsTouchNothing()
    {
        await using var fixture = await RuntimeFixture.StartAsync(clockSeconds: 15);
        await fixture.Sut.GetGrain<IDeploymentGrain>("old").RegisterAsync(Input("old", maxSeconds: 3600), CancellationToken.None);
        await fixture.Sut.GetGrain<IDeploymentGrain>("plain").RegisterAsync(Input("plain"), CancellationToken.None);
        // As a build before the reminders left it: no ClockAt, no reminder row, no activation.
        var key = new StorageKey(DeploymentGrain.TypeName, "old");
        var stored = await fixture.Storage.ReadAsync(key, CancellationToken.None);
        await ExecuteAsync(fixture, $"DELETE FROM orleans_reminders; UPDATE grain_state SET state = json_remove(state, '$.clockAt', '$.ClockAt') WHERE grain_key = 'old'");
        await fixture.DeactivateAllAsync();
        var sut = new VerdictClockSweep(fixture.Storage, fixture.Sut, fixture.Time, Options.Create(new VerdictClockOptions()),
            new PrometheusPullOptions(), null!, NullLogger<VerdictClockSweep>.Instance);

        var before = (await StoredAsync(fixture, "old")).ClockAt;
        var first = await sut.SweepAsync(CancellationToken.None);
        var second = await sut.SweepAsync(CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Null(before);
        Assert.Equal((1, 0), (first, second));
        Assert.Equal(["deployment/old"], await RemindersAsync(fixture));
        Assert.Equal(fixture.Time.GetUtcNow().AddSeconds(3600), (await StoredAsync(fixture, "old")).ClockAt);
    }

    [Theory]
    [InlineData(0, 300)]
    [InlineData(299, 300)]
    [InlineData(300, 1200)]
    [InlineData(1199, 1200)]
    [InlineData(1200, null)]
    public async Task Next_MinimumThenMaximumDuration_FirstOneStillAhead(int elapsedSeconds, int? expectedSeconds)
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Sut.GetGrain<IDeploymentGrain>("m1").RegisterAsync(Input("m1", minSeconds: 300, maxSeconds: 1200), CancellationToken.None);
        var state = await StoredAsync(fixture, "m1");

        var next = VerdictClock.Next(state, state.StartedAt.AddSeconds(elapsedSeconds));

        Assert.Equal(expectedSeconds is { } s ? state.StartedAt.AddSeconds(s) : null, next);
    }

    [Fact]
    public async Task Next_DecidedOrHeldOrWithoutDurations_NullOrNow()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        await fixture.Sut.GetGrain<IDeploymentGrain>("n1").RegisterAsync(Input("n1", maxSeconds: 60), CancellationToken.None);
        var state = await StoredAsync(fixture, "n1");
        var now = state.StartedAt.AddSeconds(10);

        Assert.Null(VerdictClock.Next(state with { Verdict = state.Verdict with { Decision = Decision.Rollback } }, now));
        Assert.Null(VerdictClock.Next(state with { Status = DeploymentStatus.Promoted }, now));
        Assert.Null(VerdictClock.Next(state with { Registration = state.Registration with { Analysis = new AnalysisInput() } }, now));
        Assert.Equal(now, VerdictClock.Next(state with { HeldPromotion = state.Verdict }, now));
    }

    private static Task<DeploymentState> StoredAsync(RuntimeFixture fixture, string id) => fixture.StoredDeploymentAsync(id);

    /// <summary>The grain ids with a reminder row, in order.</summary>
    private static async Task<List<string>> RemindersAsync(RuntimeFixture fixture)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Directory, "grains.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // The verdict clock's reminders only: a service grain keeps an slo-alert-clock reminder while its budget burns.
        command.CommandText = "SELECT grain_id FROM orleans_reminders WHERE reminder_name = $name ORDER BY grain_id";
        command.Parameters.AddWithValue("$name", VerdictClock.ReminderName);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static Task ExecuteAsync(RuntimeFixture fixture, string sql) => fixture.ExecuteSqlAsync(sql);

    /// <summary>The first pushed verdict that is not PENDING.</summary>
    private static async Task<Decision> FirstDecidedAsync(IAsyncEnumerator<Verdict> pushed)
    {
        while (await pushed.MoveNextAsync())
        {
            if (pushed.Current.Decision != Decision.Pending)
            {
                return pushed.Current.Decision;
            }
        }

        throw new InvalidOperationException("The feed ended.");
    }

    private static async Task PollAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
