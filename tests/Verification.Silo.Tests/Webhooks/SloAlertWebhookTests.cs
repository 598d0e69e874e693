using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Webhooks;
using static Verification.Silo.Tests.Grains.ServiceGrainTests;
using static Verification.Silo.Tests.Webhooks.WebhookDeliveryTests;

namespace Verification.Silo.Tests.Webhooks;

/// <summary>
/// <c>slo.alert</c> webhook events: the whole silo in process with real receivers on loopback ports, and the service grain
/// on a manual clock for changes of time alone. Target 0.9375 (budget 1/16): 100 bad of 100 burns at 16, above the page
/// threshold 14.4 in every window; 2,000 good after it bring every rate to 100/2100 · 16 = 0.76, below all thresholds.
/// </summary>
public sealed class SloAlertWebhookTests
{
    [Fact]
    public async Task SloAlert_PageThenResolved_TwoSignedEventsForTheSubscribedServiceOnly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var checkout = await WebhookReceiver.StartAsync();
        await using var search = await WebhookReceiver.StartAsync();
        await using var slack = await WebhookReceiver.StartAsync();
        await using var factory = new SiloFactory();
        using var http = factory.CreateClient();
        var checkoutHook = await SubscribeAsync(http, checkout.Url, "cloudevents", ["checkout"], timeout.Token);
        var searchHook = await SubscribeAsync(http, search.Url, "cloudevents", ["search"], timeout.Token);
        var slackHook = await SubscribeAsync(http, slack.Url, "slack", [], timeout.Token);
        await ApplyAsync(http, "checkout", timeout.Token);

        await PushAsync(http, "checkout", good: 0, total: 100, timeout.Token);
        await DeliveredAsync(http, checkoutHook, 1, timeout.Token);
        await PushAsync(http, "checkout", good: 2000, total: 2000, timeout.Token);
        await DeliveredAsync(http, checkoutHook, 2, timeout.Token);
        await DeliveredAsync(http, slackHook, 2, timeout.Token);

        var events = checkout.Received.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.All(checkout.Received, r => Assert.Equal(Sign(r.Body), r.Signature));
        Assert.Equal(["verification.slo.alert", "verification.slo.alert"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(("checkout", "/verification/services"),
            (e.GetProperty("subject").GetString(), e.GetProperty("source").GetString())));
        Assert.Equal(2, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        var (paged, resolved) = (events[0].GetProperty("data"), events[1].GetProperty("data"));
        Assert.Equal(("checkout", "availability", "NONE", "PAGE", 0.9375), (paged.GetProperty("service").GetString(),
            paged.GetProperty("slo").GetString(), paged.GetProperty("previousLevel").GetString(), paged.GetProperty("level").GetString(),
            paged.GetProperty("target").GetDouble()));
        Assert.Equal([("PAGE", "1h", 16.0, "5m", 16.0, 14.4), ("PAGE", "6h", 16.0, "30m", 16.0, 6.0), ("TICKET", "1d", 16.0, "2h", 16.0, 3.0),
                ("TICKET", "3d", 16.0, "6h", 16.0, 1.0)],
            paged.GetProperty("firing").EnumerateArray().Select(f => (f.GetProperty("level").GetString(), f.GetProperty("longWindow").GetString(),
                f.GetProperty("longRate").GetDouble(), f.GetProperty("shortWindow").GetString(), f.GetProperty("shortRate").GetDouble(),
                f.GetProperty("threshold").GetDouble())));
        Assert.Equal([16.0, 16.0, 16.0, 16.0, 16.0, 16.0, 16.0], paged.GetProperty("burnRates").EnumerateArray().Select(r => r.GetProperty("rate").GetDouble()));
        // 100 bad of 100 events spend 100 / (100 · 1/16) = 16 budgets: 1 − 16 remaining.
        Assert.Equal(-15.0, paged.GetProperty("budgetRemaining").GetDouble());
        Assert.Equal(("PAGE", "NONE", 0), (resolved.GetProperty("previousLevel").GetString(), resolved.GetProperty("level").GetString(),
            resolved.GetProperty("firing").GetArrayLength()));
        Assert.Equal(100.0 / 2100 * 16, resolved.GetProperty("burnRates")[0].GetProperty("rate").GetDouble(), 12);
        // 100 bad of 2,100 spend 100 / (2100 / 16) = 0.762 of the budget.
        Assert.Equal(1 - (100.0 / 2100 * 16), resolved.GetProperty("budgetRemaining").GetDouble(), 12);
        Assert.Empty(search.Received);
        Assert.Empty(await DeliveriesAsync(http, searchHook, timeout.Token));
        Assert.Equal(
            [
                "checkout SLO 'availability' alert PAGE (was NONE): 1h burn rate 16 and 5m 16, both above 14.4; 6h burn rate 16 and 30m 16, both above 6; error budget remaining -1,500.0 %.",
                "checkout SLO 'availability' alert resolved (NONE, was PAGE); error budget remaining 23.8 %.",
            ],
            slack.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task RecordEventsAsync_BatchThatPages_StoresLevelAndEventInTheBatchWrite()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        var before = await fixture.WritesAsync(ServiceGrain.TypeName, "checkout");

        await sut.RecordEventsAsync([Events(0, 100)], CancellationToken.None);

        var state = await StoredAsync(fixture);
        Assert.Equal(before + 1, await fixture.WritesAsync(ServiceGrain.TypeName, "checkout"));
        Assert.Equal([new SloAlertState("availability", AlertLevel.Page, fixture.Time.GetUtcNow())], state.Alerts);
        var e = Assert.Single(state.Outbox!);
        Assert.Equal((WebhookInput.SloAlert, "checkout", "checkout"), (e.Type, e.Subject, e.Service));
        var data = JsonSerializer.Deserialize<SloAlertEventData>(e.Data, ContractJson.Options)!;
        Assert.Equal((AlertLevel.None, AlertLevel.Page), (data.PreviousLevel, data.Level));
    }

    [Fact]
    public async Task ReceiveReminder_PageAgedPastItsShortWindows_StoresTicketWithEventThenNoneAfterThreeDays()
    {
        await using var fixture = await RuntimeFixture.StartAsync();
        var sut = fixture.Sut.GetGrain<IServiceGrain>("checkout");
        await sut.ApplySlosAsync(Yaml(), CancellationToken.None);
        await sut.RecordEventsAsync([Events(0, 100)], CancellationToken.None);
        var paged = Assert.Single((await StoredAsync(fixture)).Outbox!);

        // 31 minutes later the 5m and 30m windows hold no events (rate 0): both page rules stop; 1d/2h still burns at 16.
        fixture.Time.Advance(TimeSpan.FromMinutes(31));
        await sut.AsReference<IRemindable>().ReceiveReminder(ServiceGrain.AlertClockReminder, default);
        var ticket = await StoredAsync(fixture);
        var again = await fixture.WritesAsync(ServiceGrain.TypeName, "checkout");
        await sut.AsReference<IRemindable>().ReceiveReminder(ServiceGrain.AlertClockReminder, default);

        Assert.Equal([new SloAlertState("availability", AlertLevel.Ticket, fixture.Time.GetUtcNow())], ticket.Alerts);
        var e = Assert.Single(ticket.Outbox!);
        Assert.NotEqual(paged.Id, e.Id);
        var data = JsonSerializer.Deserialize<SloAlertEventData>(e.Data, ContractJson.Options)!;
        Assert.Equal((AlertLevel.Page, AlertLevel.Ticket), (data.PreviousLevel, data.Level));
        Assert.Equal([("1d", "2h"), ("3d", "6h")], data.Firing.Select(f => (f.LongWindow, f.ShortWindow)));
        Assert.Equal(again, await fixture.WritesAsync(ServiceGrain.TypeName, "checkout"));

        fixture.Time.Advance(TimeSpan.FromDays(3));
        await sut.AsReference<IRemindable>().ReceiveReminder(ServiceGrain.AlertClockReminder, default);

        var resolved = await StoredAsync(fixture);
        Assert.Null(resolved.Alerts);
        var last = JsonSerializer.Deserialize<SloAlertEventData>(Assert.Single(resolved.Outbox!).Data, ContractJson.Options)!;
        Assert.Equal((AlertLevel.Ticket, AlertLevel.None), (last.PreviousLevel, last.Level));
    }

    private static async Task<ServiceState> StoredAsync(RuntimeFixture fixture)
    {
        var stored = await fixture.Storage.ReadAsync(new StorageKey(ServiceGrain.TypeName, "checkout"), CancellationToken.None);
        return JsonSerializer.Deserialize<ServiceState>(stored!.Json, ContractJson.Options)!;
    }

    internal static async Task<string> SubscribeAsync(HttpClient http, Uri url, string format, string[] services, CancellationToken ct)
    {
        using var response = await http.PostAsync("v1/webhooks", new StringContent(JsonSerializer.Serialize(new
        {
            url = url.ToString(),
            events = new[] { "slo.alert" },
            services,
            secret = Secret,
            format,
        }), Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    internal static async Task ApplyAsync(HttpClient http, string service, CancellationToken ct)
    {
        using var response = await http.PostAsync("v1/slos", new StringContent(Yaml(service), Encoding.UTF8, "application/yaml"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task PushAsync(HttpClient http, string service, long good, long total, CancellationToken ct)
    {
        using var response = await http.PostAsync("v1/slo-events", new StringContent(
            $$"""{"service":"{{service}}","slo":"availability","good":{{good}},"total":{{total}}}""", Encoding.UTF8, "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
