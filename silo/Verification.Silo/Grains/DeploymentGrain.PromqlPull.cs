using Verification.Api.Contracts;
using Verification.Silo.Providers.Prometheus;

namespace Verification.Silo.Grains;

/// <summary>
/// The PromQL pull on the deployment grain's own schedule (<see cref="PrometheusPull"/> does the pulling). While the
/// deployment is VERIFYING with <c>source.promql</c> metrics and <c>Prometheus:Url</c> is set, its activation runs a grain
/// timer, one tick per <c>Prometheus:IntervalSeconds</c>, and the grain keeps a durable reminder (<see cref="PullReminderName"/>).
/// <para>
/// Why this shape: the single activation pulls, so a deployment is pulled once per interval in the whole cluster, not once
/// per silo. The timer gives sub-minute ticks; it keeps the activation alive (idle collection would stop it). The reminder,
/// at Orleans' minimum period, is the durable backstop: after the hosting silo dies (its reminder range passes to a survivor)
/// or the cluster restarts with no request arriving, its next tick activates the grain again, which starts the timer.
/// </para>
/// <para>
/// The timer's ticks interleave with the grain's requests, so a slow or hanging Prometheus never holds up ingestion or
/// reads of the deployment; the samples go back in through a call to the grain itself (an ordinary, non-interleaved
/// request, which may run because an interleaving tick does not block the activation). The tick touches only the pull's own
/// readings and the registration, which never changes; ticks never overlap (Orleans schedules the next after one ends).
/// </para>
/// </summary>
internal sealed partial class DeploymentGrain : IPromqlPullGrain
{
    /// <summary>The pull's reminder (one per deployment grain that pulls).</summary>
    public const string PullReminderName = "prometheus-pull";

    /// <summary>The reminder's period: Orleans' minimum (ReminderOptions.MinimumReminderPeriod); the timer ticks in between.</summary>
    private static readonly TimeSpan PullReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>The pull's timer, running while this activation pulls.</summary>
    private IGrainTimer? _pullTimer;

    public Task<IReadOnlyList<PullStatus>> GetPullStatusAsync(CancellationToken cancellationToken) => Task.FromResult(pull.Board.All());

    /// <summary>Whether this deployment is pulled now: configured, VERIFYING, with a PromQL metric.</summary>
    private bool Pulled => pull.Enabled && State is { Status: DeploymentStatus.Verifying } && PrometheusPull.Pulls(_definitions);

    /// <summary>Starts the timer (first tick now) and, unless it is known to exist, registers the reminder; nothing when not pulled.</summary>
    private async Task StartPullAsync(bool reminderKnown)
    {
        if (!Pulled)
        {
            return;
        }

        _pullTimer ??= this.RegisterGrainTimer(static (grain, token) => grain.PullTickAsync(token), this,
            new GrainTimerCreationOptions(TimeSpan.Zero, pull.Interval) { Interleave = true, KeepAlive = true });
        if (!reminderKnown && await this.GetReminder(PullReminderName).ConfigureAwait(true) is null)
        {
            await this.RegisterOrUpdateReminder(PullReminderName, PullReminderPeriod, PullReminderPeriod).ConfigureAwait(true);
        }
    }

    /// <summary>Stops the timer and removes the reminder (the deployment completed, or is not pulled here).</summary>
    private async Task StopPullAsync()
    {
        _pullTimer?.Dispose();
        _pullTimer = null;
        if (await this.GetReminder(PullReminderName).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }
    }

    /// <summary>The reminder's tick: makes sure the timer runs (this may be a fresh activation); removes the reminder if not pulled.</summary>
    private Task PullReminderTickAsync() => Pulled ? StartPullAsync(reminderKnown: true) : StopPullAsync();

    /// <summary>
    /// One tick (interleaving): evaluates the interval not yet evaluated, records through the grain itself, and aims the next
    /// tick at the middle of the next interval.
    /// </summary>
    private async Task PullTickAsync(CancellationToken cancellationToken)
    {
        if (!Pulled || _definitions is not { } definitions)
        {
            return;
        }

        try
        {
            await pull.EvaluateAsync(Key, definitions, GrainFactory.GetGrain<IDeploymentGrain>(Key), cancellationToken).ConfigureAwait(true);
        }
        finally
        {
            _pullTimer?.Change(pull.UntilNext(), pull.Interval);
        }
    }
}
