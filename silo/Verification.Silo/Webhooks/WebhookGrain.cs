using Verification.Api.Contracts;
using Verification.Api.Webhooks;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Webhooks;

/// <summary>One grain per webhook subscription (keyed by its id): the subscription, secret included, as its state.</summary>
internal sealed class WebhookGrain(TimeProvider time, SiloMetrics metrics, IGrainStorage journal, IPersistentStateFactory states)
    : StoredGrain<WebhookSubscription>(states, journal, metrics, TypeName), IWebhookGrain
{
    public const string TypeName = "webhook";

    public async Task<WebhookSubscription> CreateAsync(WebhookInput input, CancellationToken cancellationToken)
    {
        var subscription = WebhookValidation.Normalize(Key, input, time.GetUtcNow());
        if (State is not null)
        {
            // Ids are chosen by the server, fresh for each subscription: a taken one is never overwritten.
            throw ConflictException.OnField("id", $"Webhook '{Key}' exists already.");
        }

        await WriteStateAsync(subscription, cancellationToken).ConfigureAwait(true);
        return subscription;
    }

    public Task<WebhookSubscription?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(State);

    public Task<bool> DeleteAsync(CancellationToken cancellationToken) => DeleteStateAsync(cancellationToken);
}
