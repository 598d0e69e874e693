using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Storage;

namespace Verification.Silo.Webhooks;

/// <summary>
/// Sends due webhook deliveries: at start it hands again every deployment outbox stored (events committed just before a
/// crash, before their hand-off), then claims due rows (woken by a local hand-off; else after <see cref="WebhookOptions.PollSeconds"/>,
/// doubling while rounds find nothing up to <see cref="WebhookOptions.IdlePollMaxSeconds"/>, and when a retry it scheduled is due)
/// and POSTs each with its signature. A 2xx answer delivers; anything else, a timeout or a refused connection is retried
/// with exponential backoff until <see cref="WebhookOptions.RetryHours"/> after the event, then given up. A crash between
/// sending and recording sends again after the lease: at-least-once, with the event id stable for de-duplication.
/// Finished rows past the retention are pruned at start and every <see cref="WebhookOptions.PruneMinutes"/> (<see cref="WebhookPruner"/>).
/// </summary>
internal sealed partial class WebhookDispatcher(
    WebhookStore store,
    WebhookOutbox outbox,
    WebhookPruner pruner,
    IGrainStorage storage,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    IOptions<StorageOptions> storageOptions,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string SignatureHeader = "X-Verification-Signature";

    private readonly WebhookOptions _options = options.Value;

    private PendingLook? _waiting;

    /// <summary>The wait the dispatcher is in now, unless a local hand-off ends it first; null while it works.</summary>
    internal PendingLook? Waiting => Volatile.Read(ref _waiting);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds),
        };
        await RecoverAsync(stoppingToken).ConfigureAwait(false);
        var poll = TimeSpan.FromSeconds(_options.PollSeconds);
        var idleMax = TimeSpan.FromSeconds(_options.IdlePollMaxSeconds);
        var idle = poll;
        DateTimeOffset? retryDue = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var found = false;
            try
            {
                if (await pruner.PruneIfDueAsync(stoppingToken).ConfigureAwait(false) is > 0 and var pruned)
                {
                    LogPruned(logger, pruned, _options.RetentionDays);
                }

                var claimedAt = time.GetUtcNow();
                var claimed = await store.ClaimAsync(claimedAt, claimedAt + Lease, _options.BatchSize, stoppingToken).ConfigureAwait(false);
                var retries = await Task.WhenAll(claimed.Select(d => AttemptAsync(http, d, stoppingToken))).ConfigureAwait(false);
                retryDue = EarliestRetry(retryDue is { } due && due > claimedAt ? due : null, retries);
                found = claimed.Count > 0;
                if (claimed.Count == _options.BatchSize)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, e);
            }

            // Idle rounds wait longer each time (twice as long, up to IdlePollMaxSeconds); a round that found deliveries, or
            // a local hand-off, goes back to PollSeconds; a retry this silo scheduled is looked for when it is due.
            idle = found ? poll : idle;
            var now = time.GetUtcNow();
            var wait = retryDue is { } next ? Min(idle, Max(next - now, TimeSpan.Zero)) : idle;
            Volatile.Write(ref _waiting, new PendingLook(wait, now + wait));
            var woken = await WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            Volatile.Write(ref _waiting, null);
            idle = woken || found ? poll : Min(idle * 2, idleMax);
        }
    }

    /// <summary>A wait of the dispatcher: how long, and when it ends unless a local hand-off wakes it first.</summary>
    internal sealed record PendingLook(TimeSpan Wait, DateTimeOffset Until);

    private static DateTimeOffset? EarliestRetry(DateTimeOffset? known, IEnumerable<DateTimeOffset?> scheduled) =>
        scheduled.Aggregate(known, (earliest, next) => next is { } n && (earliest is null || n < earliest) ? n : earliest);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Long enough for an attempt to end: another silo leaves a claimed row alone until then.</summary>
    private TimeSpan Lease => TimeSpan.FromSeconds(_options.TimeoutSeconds + 5);

    /// <summary>
    /// Events a crash left in a deployment's or service's stored outbox before their hand-off are handed now (again, for those that were
    /// handed: nothing is added twice). On SQLite this silo is the only sender, so leases of the crashed process are released.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!storageOptions.Value.IsPostgres)
            {
                await store.ReleaseLeasesAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }

            await RecoverAsync(DeploymentGrain.TypeName, json => JsonSerializer.Deserialize<DeploymentState>(json, ContractJson.Options)!.Outbox,
                cancellationToken).ConfigureAwait(false);
            await RecoverAsync(ServiceGrain.TypeName, json => JsonSerializer.Deserialize<ServiceState>(json, ContractJson.Options)!.Outbox,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRecoveryFailed(logger, e);
        }
    }

    /// <summary>Hands the stored outbox of every grain of <paramref name="grainType"/> that has one.</summary>
    private async Task RecoverAsync(string grainType, Func<string, IReadOnlyList<OutboundEvent>?> outboxOf, CancellationToken cancellationToken)
    {
        await foreach (var stored in storage.ListAllAsync(grainType, null, cancellationToken).ConfigureAwait(false))
        {
            if (stored.Json.Contains("\"outbox\":[", StringComparison.Ordinal) && outboxOf(stored.Json) is { Count: > 0 } events)
            {
                await outbox.EnqueueAsync(events, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits <paramref name="wait"/> or until a local hand-off; true when woken by a hand-off.</summary>
    private async Task<bool> WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(wait);
        try
        {
            await outbox.Added.ReadAsync(poll.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait passed.
            return false;
        }
    }

    /// <summary>Sends one delivery and records the outcome; the time of its next attempt when one was scheduled, else null.</summary>
    private async Task<DateTimeOffset?> AttemptAsync(HttpClient http, ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var subscription = await grains.GetGrain<IWebhookGrain>(delivery.WebhookId).GetAsync(cancellationToken).ConfigureAwait(false);
        if (subscription is null)
        {
            await store.RecordAsync(delivery, WebhookStore.Failed, time.GetUtcNow(), null, "the subscription was deleted", null, cancellationToken)
                .ConfigureAwait(false);
            return null;
        }

        int? code = null;
        string? error;
        try
        {
            using var request = Request(subscription, delivery);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await store.RecordAsync(delivery, WebhookStore.Delivered, time.GetUtcNow(), code, null, null, cancellationToken).ConfigureAwait(false);
                return null;
            }

            error = $"answered {code}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = e is TaskCanceledException ? $"no answer within {_options.TimeoutSeconds} s" : e.Message;
        }

        var now = time.GetUtcNow();
        var next = now + _options.RetryDelay(delivery.Attempts + 1);
        var giveUp = next - delivery.CreatedAt > TimeSpan.FromHours(_options.RetryHours);
        await store.RecordAsync(delivery, giveUp ? WebhookStore.Failed : WebhookStore.Pending, now, code,
            error.Length > 500 ? error[..500] : error, giveUp ? null : next, cancellationToken).ConfigureAwait(false);
        return giveUp ? null : next;
    }

    /// <summary>The POST of one delivery: its stored body, and the HMAC-SHA256 of exactly those bytes under the subscription's secret.</summary>
    internal static HttpRequestMessage Request(WebhookSubscription subscription, ClaimedDelivery delivery)
    {
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(
            subscription.Format == WebhookInput.Slack ? "application/json" : "application/cloudevents+json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = content };
        request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(subscription.Secret, body));
        request.Headers.TryAddWithoutValidation("X-Verification-Event-Id", delivery.EventId);
        request.Headers.UserAgent.ParseAdd("Verification-Webhooks/1.0");
        return request;
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <paramref name="body"/> keyed by the UTF-8 secret.</summary>
    public static string Signature(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook outbox: deleted {Count} finished deliveries of events older than {Days} days")]
    private static partial void LogPruned(ILogger logger, int count, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery round failed; retrying at the next poll")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook outbox recovery at start failed; events of a crash may wait for their deployment's next activation")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);
}
