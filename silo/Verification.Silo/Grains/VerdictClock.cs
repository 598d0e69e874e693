using System.Text.Json;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo.Storage;

namespace Verification.Silo.Grains;

/// <summary>Options of the verdict clock (configuration section <c>Verdicts</c>).</summary>
internal sealed class VerdictClockOptions
{
    public const string Section = "Verdicts";
    public const int DefaultClockSeconds = 15;

    /// <summary>
    /// How often a promotion held back by the budget gate is judged again while its grain is in memory; window closings
    /// and minimum durations are judged at the moment they happen. 0 turns the clock off (only reads and input judge).
    /// </summary>
    public int ClockSeconds { get; set; } = DefaultClockSeconds;
}

/// <summary>
/// Some verdict changes need no new samples: the analysis window closes (INCONCLUSIVE), the minimum duration passes
/// (PROMOTE becomes possible), or a promotion held back by the error-budget gate is released as the budget recovers.
/// A read judges them, but a subscriber of <c>verdictChanged</c> may be the only reader, so each deployment grain keeps a
/// durable Orleans reminder (<see cref="ReminderName"/>) due at the next moment time alone may change its verdict
/// (<see cref="Next"/>), and, while a promotion is held, a grain timer every <see cref="VerdictClockOptions.ClockSeconds"/>.
/// <para>
/// Why reminders: the reminder table is shared by the cluster, and each reminder is owned by exactly one silo (its range of
/// the hash ring), which calls the grain's single activation; a tick is therefore one evaluation in the whole cluster, not
/// one per silo, and a silo's death hands its range (and any missed tick) to a survivor. The timer runs inside the single
/// activation, so it too ticks once per cluster. Orleans' guarantees are the limits: a single activation is eventually
/// consistent during a membership change, and a reminder is delivered at least once per period.
/// </para>
/// </summary>
internal static class VerdictClock
{
    /// <summary>The reminder's name (one per deployment grain).</summary>
    public const string ReminderName = "verdict-clock";

    /// <summary>
    /// The reminder's period: Orleans' minimum (ReminderOptions.MinimumReminderPeriod). A tick that did not happen (a
    /// failure) comes again one period later; while a promotion is held, the reminder is the backstop of the timer.
    /// </summary>
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>
    /// When time alone may next change the verdict of <paramref name="state"/>, judged at <paramref name="now"/>: while a
    /// promotion is held, now (the gate is asked again every tick); else the first of the minimum and maximum durations
    /// still ahead; null when nothing but new input can change it (not verifying, decided, or no durations ahead).
    /// </summary>
    public static DateTimeOffset? Next(DeploymentState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status != DeploymentStatus.Verifying || state.Verdict.Decision != Decision.Pending)
        {
            return null;
        }

        if (state.HeldPromotion is not null)
        {
            return now;
        }

        // Called on every write (ingestion's hot path): no allocation.
        var analysis = state.Registration.Analysis;
        var min = Ahead(analysis?.MinDurationSeconds);
        var max = Ahead(analysis?.MaxDurationSeconds);
        return min is null ? max : max is null || min <= max ? min : max;

        DateTimeOffset? Ahead(int? seconds) =>
            seconds is { } s && state.StartedAt.AddSeconds(s) is var at && at > now ? at : null;
    }
}

/// <summary>
/// Deployments stored before the verdict clock became a reminder have none: once per silo start, this asks each of those
/// whose verdict may still change with time to activate, which schedules its reminder (<see cref="DeploymentGrain"/>).
/// Deployments that have their reminder are not touched. With <c>Prometheus:Url</c> set, it also activates every VERIFYING
/// deployment with a PromQL metric, which starts its pull at once (and registers the pull reminder of one stored before the
/// pull had a reminder); their reminders would activate them within a minute anyway.
/// </summary>
internal sealed partial class VerdictClockSweep(
    IGrainStorage storage,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<VerdictClockOptions> options,
    PrometheusPullOptions pullOptions,
    IHostApplicationLifetime lifetime,
    ILogger<VerdictClockSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ClockSeconds <= 0 && pullOptions.Url is null)
        {
            return;
        }

        // Grains answer once the Orleans silo has started, which is after this service started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        try
        {
            var scheduled = await SweepAsync(stoppingToken).ConfigureAwait(false);
            if (scheduled > 0)
            {
                LogScheduled(logger, scheduled);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSweepFailed(logger, ex);
        }
    }

    /// <summary>Activates every stored deployment that needs a clock reminder and has none, or is pulled; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var clock = options.Value.ClockSeconds > 0;
        var count = 0;
        await foreach (var stored in storage.ListAllAsync(DeploymentGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            var state = JsonSerializer.Deserialize<DeploymentState>(stored.Json, ContractJson.Options)!;
            var pulled = pullOptions.Url is not null && state.Status == DeploymentStatus.Verifying
                && PrometheusPull.Pulls(DeploymentValidation.Definitions(state.Registration));
            if ((clock && state.ClockAt is null && VerdictClock.Next(state, now) is not null) || pulled)
            {
                await grains.GetGrain<IDeploymentGrain>(stored.Key).GetAsync(cancellationToken).ConfigureAwait(false);
                count++;
            }
        }

        return count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Verdict clock and PromQL pull: activated {Count} deployments stored without a clock reminder or pulled")]
    private static partial void LogScheduled(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Verdict clock: scheduling reminders of stored deployments failed; their next write or activation schedules them")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
