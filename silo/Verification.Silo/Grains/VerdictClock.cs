using Microsoft.Extensions.Options;
using Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>Options of the verdict clock (configuration section <c>Verdicts</c>).</summary>
internal sealed class VerdictClockOptions
{
    public const string Section = "Verdicts";
    public const int DefaultClockSeconds = 15;

    /// <summary>How often deployments whose verdict may change with time alone are judged again (0 turns the clock off).</summary>
    public int ClockSeconds { get; set; } = DefaultClockSeconds;
}

/// <summary>
/// Some verdict changes need no new samples: the analysis window closes (INCONCLUSIVE), the minimum duration passes
/// (PROMOTE becomes possible), or a promotion held back by the error-budget gate is released as the budget recovers.
/// A read judges them, but a subscriber of <c>verdictChanged</c> may be the only reader: this clock reads the deployments
/// for which such a change is due, so the change is stored and pushed. It touches only those deployments, so grains of
/// deployments waiting for data are not kept in memory by it.
/// </summary>
internal sealed partial class VerdictClock(
    IDeploymentDirectory directory,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<VerdictClockOptions> options,
    ILogger<VerdictClock> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ClockSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ClockSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One failed round (e.g. storage briefly unreachable) must not stop the clock.
                    LogTickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Judges every deployment whose verdict may have changed with time alone; returns how many were read.</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(2 * Math.Max(options.Value.ClockSeconds, 1));
        var read = 0;
        var verifying = directory.ListAllAsync(new DeploymentFilter(Status: DeploymentStatus.Verifying), cancellationToken);
        await foreach (var deployment in verifying.ConfigureAwait(false))
        {
            if (Due(deployment, now, window))
            {
                await grains.GetGrain<IDeploymentGrain>(deployment.Id).GetAsync(cancellationToken).ConfigureAwait(false);
                read++;
            }
        }

        return read;
    }

    /// <summary>
    /// A PENDING verdict may change with time when the window has closed, when the minimum duration passed within the
    /// last two ticks, or while the release gate holds a promotion back.
    /// </summary>
    internal static bool Due(Deployment deployment, DateTimeOffset now, TimeSpan window)
    {
        if (deployment.Verdict.Decision != Decision.Pending)
        {
            return false;
        }

        var elapsed = now - deployment.StartedAt;
        return deployment.Analysis.MaxDurationSeconds is { } max && elapsed >= TimeSpan.FromSeconds(max)
            || deployment.Analysis.MinDurationSeconds is { } min && elapsed >= TimeSpan.FromSeconds(min) && elapsed < TimeSpan.FromSeconds(min) + window
            || deployment.Verdict.Gate is { Allowed: false };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A verdict clock round failed; the next round tries again")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
