namespace Verification.Silo.Webhooks;

/// <summary>
/// One grain activation's hand-off of its committed state outbox (events written with the state) to the webhook outbox,
/// remembering whether the last one completed: events not known to be handed off are carried into the next write's
/// outbox (<see cref="Pending"/>) and handed again; handed-off ones are dropped from it. Used by the deployment and
/// service grains alike.
/// </summary>
internal sealed class OutboxHandOff(WebhookOutbox outbox)
{
    private bool _handedOff = true;

    /// <summary>Of the stored <paramref name="outboxed"/> events, those that must go into the next write again.</summary>
    public IReadOnlyList<OutboundEvent> Pending(IReadOnlyList<OutboundEvent>? outboxed) => _handedOff ? [] : outboxed ?? [];

    /// <summary>Whether the stored outbox was handed off (false after a failed hand-off, until one succeeds).</summary>
    public bool HandedOff => _handedOff;

    /// <summary>Hands the committed <paramref name="outboxed"/> events to the webhook outbox; a failure leaves them to be handed again.</summary>
    public async Task HandAsync(IReadOnlyList<OutboundEvent>? outboxed, CancellationToken cancellationToken)
    {
        if (outboxed is not { Count: > 0 } events)
        {
            _handedOff = true;
            return;
        }

        _handedOff = false;
        await outbox.EnqueueAsync(events, cancellationToken).ConfigureAwait(true);
        _handedOff = true;
    }
}
