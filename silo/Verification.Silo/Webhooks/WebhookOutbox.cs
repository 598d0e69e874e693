using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Verification.Api.Contracts;

namespace Verification.Silo.Webhooks;

/// <summary>
/// Takes committed webhook events (from a deployment grain's outbox) and keeps one delivery per subscription that wants
/// each (<see cref="WebhookStore"/>), with the body built now in the subscription's format, so every retry sends the same
/// bytes; then wakes the <see cref="WebhookDispatcher"/> of this silo. Handing the same events again adds nothing, and an
/// event older than the retention is not added again (<see cref="WebhookPruner.Expired"/>).
/// </summary>
internal sealed class WebhookOutbox(IWebhookDirectory subscriptions, WebhookStore store, WebhookPruner retention)
{
    /// <summary>The CloudEvents <c>source</c> of every event (CloudEvents 1.0 §3.1.1: a URI-reference).</summary>
    public const string Source = "/verification/deployments";

    private readonly Channel<bool> _added = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Completes a read each time deliveries were added (several additions may wake one read).</summary>
    public ChannelReader<bool> Added => _added.Reader;

    public async Task EnqueueAsync(IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var all = await subscriptions.ListAsync(cancellationToken).ConfigureAwait(false);
        var deliveries = (from e in events
                          from s in Wanting(e, all)
                          select new NewDelivery(s.Id, e.Id, e.Type, e.Subject, Body(s.Format, e), e.Time)).ToList();
        if (deliveries.Count == 0)
        {
            return;
        }

        await store.AddAsync(deliveries, cancellationToken).ConfigureAwait(false);
        _added.Writer.TryWrite(true);
    }

    /// <summary>
    /// Whether handing <paramref name="events"/> off now would add any delivery (a subscription wants one of them). A
    /// deployment grain asks before it leaves its state row unwritten: events no one wants need not be committed.
    /// </summary>
    public async Task<bool> AnyWantedAsync(IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var all = await subscriptions.ListAsync(cancellationToken).ConfigureAwait(false);
        return events.Any(e => Wanting(e, all).Any());
    }

    /// <summary>The subscriptions that get a delivery of <paramref name="e"/>: none once it is older than the retention.</summary>
    private IEnumerable<WebhookSubscription> Wanting(OutboundEvent e, IReadOnlyList<WebhookSubscription> all) =>
        retention.Expired(e.Time) ? [] : all.Where(s => s.Wants(e.Type, e.Service));

    /// <summary>
    /// CloudEvents 1.0 structured JSON (spec §3, JSON format §3): <c>type</c> <c>verification.{event}</c>, <c>subject</c>
    /// the deployment id (the service for <c>slo.alert</c>), <c>data</c> the deployment and verdict (the SLO's alert); or a
    /// Slack incoming-webhook body (<c>text</c>).
    /// </summary>
    public static string Body(string format, OutboundEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (format == WebhookInput.Slack && e.Type == WebhookInput.SloAlert)
        {
            return JsonSerializer.Serialize(new JsonObject { ["text"] = SloAlertEvent.SlackText(e.Data) });
        }

        if (format == WebhookInput.Slack)
        {
            var data = JsonSerializer.Deserialize<WebhookEventData>(e.Data, Verification.Api.Contracts.ContractJson.Options)!;
            var decision = JsonNamingPolicy.SnakeCaseUpper.ConvertName(data.Decision.ToString());
            var what = e.Type == WebhookInput.DeploymentCompleted
                ? $"completed as {JsonNamingPolicy.SnakeCaseUpper.ConvertName(data.Status.ToString())} (verdict {decision})"
                : $"verdict {decision}";
            return JsonSerializer.Serialize(new JsonObject
            {
                ["text"] = $"{data.Service} {data.Version} ({data.Environment}), deployment {data.DeploymentId}: {what}. {data.Reason}",
            });
        }

        return new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = e.Id,
            ["source"] = e.Type == WebhookInput.SloAlert ? SloAlertEvent.Source : Source,
            ["type"] = "verification." + e.Type,
            ["subject"] = e.Subject,
            ["time"] = e.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["datacontenttype"] = "application/json",
            ["data"] = JsonNode.Parse(e.Data),
        }.ToJsonString();
    }
}
