namespace Verification.Api.Contracts;

/// <summary>The body of <c>POST /v1/webhooks</c> (API.md v1.1, "CD integrations").</summary>
/// <param name="Url">Where deliveries are POSTed (http or https).</param>
/// <param name="Events">Any of <c>verdict.changed</c>, <c>deployment.completed</c>.</param>
/// <param name="Services">Only events of these services; null or empty: every service.</param>
/// <param name="Secret">Key of the <c>X-Verification-Signature</c> HMAC; never shown again.</param>
/// <param name="Format"><c>cloudevents</c> (default) or <c>slack</c>.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.WebhookInput")]
public sealed record WebhookInput(
    string Url, IReadOnlyList<string> Events, string Secret, IReadOnlyList<string>? Services = null, string Format = WebhookInput.CloudEvents)
{
    public const string CloudEvents = "cloudevents";
    public const string Slack = "slack";
    public const string VerdictChanged = "verdict.changed";
    public const string DeploymentCompleted = "deployment.completed";
    public const string SloAlert = "slo.alert";
}

/// <summary>A webhook subscription as stored (with its secret; <see cref="View"/> is what the API shows).</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.WebhookSubscription")]
public sealed record WebhookSubscription(
    string Id, string Url, IReadOnlyList<string> Events, IReadOnlyList<string> Services, string Format, string Secret, DateTimeOffset CreatedAt)
{
    public WebhookView View() => new(Id, Url, Events, Services, Format, CreatedAt);

    /// <summary>Whether an event of <paramref name="type"/> about <paramref name="service"/> goes to this subscription.</summary>
    public bool Wants(string type, string service) =>
        Events.Contains(type, StringComparer.Ordinal) && (Services.Count == 0 || Services.Contains(service, StringComparer.Ordinal));
}

/// <summary>A webhook subscription as the API shows it: without the secret.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.WebhookView")]
public sealed record WebhookView(
    string Id, string Url, IReadOnlyList<string> Events, IReadOnlyList<string> Services, string Format, DateTimeOffset CreatedAt);

/// <summary>One event's delivery to one subscription: its state after the attempts so far.</summary>
/// <param name="Status"><c>PENDING</c> (to be tried, or retried), <c>DELIVERED</c> (a 2xx answer), <c>FAILED</c> (gave up).</param>
public sealed record WebhookDelivery(
    string EventId, string Type, string Subject, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt,
    int? LastStatusCode, string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);

/// <summary>One grain per webhook subscription, keyed by its id.</summary>
[Alias("Verification.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Stores the subscription under this grain's id; the same input again returns it, another input is a conflict.</summary>
    [Alias("CreateAsync")]
    Task<WebhookSubscription> CreateAsync(WebhookInput input, CancellationToken cancellationToken);

    [Alias("GetAsync")]
    Task<WebhookSubscription?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Deletes the subscription (its pending deliveries are dropped when next tried); false when there was none.</summary>
    [Alias("DeleteAsync")]
    Task<bool> DeleteAsync(CancellationToken cancellationToken);
}

/// <summary>Webhook subscriptions and their deliveries, read from storage.</summary>
public interface IWebhookDirectory
{
    /// <summary>Every subscription, ordered by id.</summary>
    Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The newest deliveries of a subscription first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(string webhookId, int limit, CancellationToken cancellationToken);
}
