using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Webhooks;

namespace Verification.Silo.Tests.Webhooks;

/// <summary>
/// The dispatcher's idle polling: while nothing is due each look waits twice as long as the one before (from
/// <c>Webhooks:PollSeconds</c> up to <c>Webhooks:IdlePollMaxSeconds</c>), and a local hand-off still sends at once.
/// </summary>
public sealed class WebhookDispatcherBackoffTests
{
    [Fact]
    public async Task Dispatcher_IdleThenAnEvent_WaitsGrowToTheMaximumAndTheEventIsSentBeforeTheWaitEnds()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var silo = new SiloFactory();
        using var factory = silo.WithWebHostBuilder(b => b
            .UseSetting("Webhooks:PollSeconds", "0.1")
            .UseSetting("Webhooks:IdlePollMaxSeconds", "60"));
        using var http = factory.CreateClient();
        var sut = factory.Services.GetServices<IHostedService>().OfType<WebhookDispatcher>().Single();
        var webhook = await WebhookDeliveryTests.SubscribeAsync(http, receiver.Url, timeout.Token);

        // 0.1 + 0.2 + … + 3.2 s of nothing due: the wait is 6.4 s; then one with at least 3 s left to run.
        var seen = new SortedSet<TimeSpan>();
        WebhookDispatcher.PendingLook? waiting = null;
        await WebhookDeliveryTests.UntilAsync(() =>
        {
            waiting = sut.Waiting;
            if (waiting is not null)
            {
                seen.Add(waiting.Wait);
            }

            return Task.FromResult(waiting is not null && waiting.Wait >= TimeSpan.FromSeconds(6.4)
                && waiting.Until - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(3));
        }, timeout.Token);
        await WebhookDeliveryTests.RegisterAndRollBackAsync(http, "backoff-1", timeout.Token);
        await WebhookDeliveryTests.DeliveredAsync(http, webhook, 1, timeout.Token);
        var deliveredAt = DateTimeOffset.UtcNow;

        Assert.True(waiting!.Wait >= TimeSpan.FromSeconds(6.4), $"waited {waiting.Wait}");
        Assert.True(deliveredAt < waiting.Until, $"delivered at {deliveredAt:O}, the idle wait ran until {waiting.Until:O}");
        Assert.Single(receiver.Received);
        // Each idle look waited twice as long as the one before (the test sees most of them; none in between).
        Assert.All(seen, w => Assert.Contains(w.TotalSeconds, new[] { 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60 }));
        Assert.Contains("\"subject\":\"backoff-1\"", Encoding.UTF8.GetString(receiver.Received.Single().Body), StringComparison.Ordinal);
    }
}
