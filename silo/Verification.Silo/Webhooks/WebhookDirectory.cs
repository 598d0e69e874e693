using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;

namespace Verification.Silo.Webhooks;

/// <summary>Webhook subscriptions read straight from grain storage (deleted ones are stored empty), deliveries from the outbox.</summary>
internal sealed class WebhookDirectory(IGrainStorage storage, WebhookStore store) : IWebhookDirectory
{
    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken cancellationToken)
    {
        var webhooks = new List<WebhookSubscription>();
        await foreach (var stored in storage.ListAllAsync(WebhookGrain.TypeName, null, cancellationToken).ConfigureAwait(false))
        {
            if (JsonSerializer.Deserialize<WebhookSubscription?>(stored.Json, ContractJson.Options) is { } webhook)
            {
                webhooks.Add(webhook);
            }
        }

        return webhooks;
    }

    public Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string webhookId, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(webhookId, limit, cancellationToken);
}
