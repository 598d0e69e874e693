using Microsoft.Extensions.Options;

namespace Verification.Silo.Runtime;

/// <summary>Periodically deactivates idle grains, so that memory is bounded by the active set.</summary>
internal sealed partial class GrainCollector(
    GrainRuntime runtime,
    TimeProvider time,
    IOptions<GrainRuntimeOptions> options,
    ILogger<GrainCollector> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CollectionIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var collected = await runtime.CollectIdleAsync(stoppingToken).ConfigureAwait(false);
                if (collected > 0)
                {
                    LogCollected(logger, collected, runtime.ActiveCount);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {Collected} idle grains; {Active} remain active")]
    private static partial void LogCollected(ILogger logger, int collected, int active);
}
