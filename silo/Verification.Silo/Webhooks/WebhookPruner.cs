using Microsoft.Extensions.Options;

namespace Verification.Silo.Webhooks;

/// <summary>
/// Retention of the webhook outbox (<see cref="WebhookOptions.RetentionDays"/>): deletes the finished deliveries (DELIVERED,
/// FAILED) of events older than the retention, in batches of <see cref="WebhookOptions.PruneBatchSize"/> rows, each its
/// own short statement so that senders are not held up. PENDING rows stay: the retention is longer than the retry window
/// (validated on start), so a row still being retried is never old enough. Run by the <see cref="WebhookDispatcher"/>.
/// </summary>
internal sealed class WebhookPruner(WebhookStore store, TimeProvider time, IOptions<WebhookOptions> options)
{
    private readonly WebhookOptions _options = options.Value;

    /// <summary>When the next prune is due; the first is at once.</summary>
    public DateTimeOffset NextAt { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Prunes when due (every <see cref="WebhookOptions.PruneMinutes"/>); returns the rows deleted.</summary>
    public async Task<int> PruneIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < NextAt)
        {
            return 0;
        }

        NextAt = now + TimeSpan.FromMinutes(_options.PruneMinutes);
        return await PruneAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every finished delivery of an event older than the retention, batch after batch; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - _options.Retention;
        var deleted = 0;
        int batch;
        do
        {
            batch = await store.PruneAsync(before, _options.PruneBatchSize, cancellationToken).ConfigureAwait(false);
            deleted += batch;
        }
        while (batch == _options.PruneBatchSize);

        return deleted;
    }

    /// <summary>
    /// Whether an event of <paramref name="eventTime"/> is past the retention: its deliveries may have been pruned, so it is
    /// not handed to the outbox again (a stored outbox handed off once more after a restart would deliver it twice).
    /// </summary>
    public bool Expired(DateTimeOffset eventTime) => time.GetUtcNow() - eventTime > _options.Retention;
}
