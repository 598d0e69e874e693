namespace Verification.Silo.Webhooks;

/// <summary>Outbound webhook delivery (configuration section <c>Webhooks</c>).</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Wait before the first retry; each further retry waits twice as long, up to <see cref="MaxRetryDelaySeconds"/>.</summary>
    public double FirstRetrySeconds { get; set; } = 5;

    public double MaxRetryDelaySeconds { get; set; } = 3600;

    /// <summary>A delivery not answered 2xx within this many hours of its event is given up (FAILED).</summary>
    public double RetryHours { get; set; } = 24;

    /// <summary>An attempt not answered within this is a failure (and retried).</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>How often the outbox is looked at besides the wake-up of a local event (other silos' events, retries).</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// While the outbox has nothing due, each look waits twice as long as the one before, from <see cref="PollSeconds"/> up to
    /// this: an idle silo does not query the database every second. A local event, a look that found deliveries, and a retry
    /// this silo scheduled (looked for when due) bring it back at once; what it delays is only what another silo left
    /// (its retries after it died, expired leases), by at most this long.
    /// </summary>
    public double IdlePollMaxSeconds { get; set; } = 30;

    /// <summary>Deliveries claimed, and sent concurrently, per round.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// How often a service whose SLO burn rates are above 0 (or whose alert fires) looks for alert changes of time alone, in
    /// minutes (an Orleans reminder: at least 1); 0 turns it off, and such changes wait for the service's next SLO events.
    /// </summary>
    public int SloAlertClockMinutes { get; set; } = 1;

    /// <summary>
    /// Delivered and given-up deliveries of events older than this many days are deleted by the dispatcher (in batches of
    /// <see cref="PruneBatchSize"/>, every <see cref="PruneMinutes"/>); an event this old is never handed to the outbox again.
    /// </summary>
    public double RetentionDays { get; set; } = 7;

    /// <summary>How often the dispatcher prunes, in minutes (and once at start).</summary>
    public double PruneMinutes { get; set; } = 60;

    /// <summary>Rows deleted per statement while pruning (each batch its own short transaction).</summary>
    public int PruneBatchSize { get; set; } = 1000;

    /// <summary>How long a delivery row is kept after its event: <see cref="RetentionDays"/>.</summary>
    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

    /// <summary>The wait before retry number <paramref name="attempt"/> (1 = after the first failed attempt).</summary>
    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetryDelaySeconds, FirstRetrySeconds * Math.Pow(2, Math.Min(attempt - 1, 30))));
}
