using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Webhooks;

/// <summary>
/// Outbound webhooks end to end: a real silo process (SQLite), a receiver on a loopback port that fails and recovers, and
/// SIGKILL of the silo with an event not yet delivered — or committed and never handed to the outbox.
/// </summary>
public sealed class WebhookDeliveryTests : IDisposable
{
    internal const string Secret = "s3cret-s3cret-s3cret";

    private readonly string _directory = Directory.CreateTempSubdirectory("verification-webhooks-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["Storage:Provider"] = "sqlite",
        ["Storage:ConnectionString"] = $"Data Source={_directory}/webhooks.db",
        ["Webhooks:FirstRetrySeconds"] = "0.2",
        ["Webhooks:PollSeconds"] = "0.2",
        ["Webhooks:TimeoutSeconds"] = "2",
    };

    [Fact]
    public async Task Delivery_ReceiverFailsTwiceThenSucceeds_SameSignedEventThreeTimesDeliveredOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= 2 ? 500 : 200;
        await using var silo = await SiloProcess.StartAsync(Settings(), timeout.Token);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var webhook = await SubscribeAsync(http, receiver.Url, timeout.Token);

        await RegisterAndRollBackAsync(http, "wh-d1", timeout.Token);
        var deliveries = await DeliveredAsync(http, webhook, 1, timeout.Token);

        var received = receiver.Received.ToArray();
        Assert.Equal([500, 500, 200], received.Select(r => r.Answered));
        Assert.All(received, r => Assert.Equal(Sign(r.Body), r.Signature));
        Assert.All(received, r => Assert.Equal("application/cloudevents+json; charset=utf-8", r.ContentType));
        Assert.Single(received.Select(r => Encoding.UTF8.GetString(r.Body)).Distinct());
        var cloudEvent = JsonDocument.Parse(received[0].Body).RootElement;
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("verification.verdict.changed", cloudEvent.GetProperty("type").GetString());
        Assert.Equal("/verification/deployments", cloudEvent.GetProperty("source").GetString());
        Assert.Equal("wh-d1", cloudEvent.GetProperty("subject").GetString());
        Assert.Equal("ROLLBACK", cloudEvent.GetProperty("data").GetProperty("decision").GetString());
        Assert.True(cloudEvent.GetProperty("data").GetProperty("final").GetBoolean());
        var delivery = deliveries[0];
        Assert.Equal(cloudEvent.GetProperty("id").GetString(), delivery.GetProperty("eventId").GetString());
        Assert.Equal(("DELIVERED", 3, 200), (delivery.GetProperty("status").GetString(), delivery.GetProperty("attempts").GetInt32(),
            delivery.GetProperty("lastStatusCode").GetInt32()));
    }

    [Fact]
    public async Task Delivery_SiloKilledWhileReceiverDown_DeliveredAfterRestartOnceByIdWithCompletion()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhook = await RollBackThenKillAsync(receiver, "wh-kill", async (http, id) =>
            await UntilAsync(async () => (await DeliveriesAsync(http, id, timeout.Token)) is [var d] && d.GetProperty("attempts").GetInt32() >= 2,
                timeout.Token), timeout.Token);

        receiver.Answer = _ => 200;
        await using var second = await SiloProcess.StartAsync(Settings(), timeout.Token);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        await DeliveredAsync(again, webhook, 1, timeout.Token);
        using (var complete = await again.PostAsync("v1/deployments/wh-kill/complete",
                   new StringContent("""{"status":"ROLLED_BACK"}""", Encoding.UTF8, "application/json"), timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        await DeliveredAsync(again, webhook, 2, timeout.Token);

        var delivered = receiver.Received.Where(r => r.Answered == 200)
            .Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(["verification.verdict.changed", "verification.deployment.completed"], delivered.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(2, delivered.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal("ROLLED_BACK", delivered[1].GetProperty("data").GetProperty("status").GetString());
        Assert.All(receiver.Received, r => Assert.Equal(Sign(r.Body), r.Signature));
    }

    [Fact]
    public async Task Delivery_EventCommittedButNeverHandedToTheOutbox_DeliveredAfterRestart()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhook = await RollBackThenKillAsync(receiver, "wh-lost", (_, _) => Task.CompletedTask, timeout.Token);

        // What a crash between the state's commit and the hand-off leaves: the event in the deployment's stored outbox only.
        await using (var connection = new SqliteConnection($"Data Source={_directory}/webhooks.db"))
        {
            await connection.OpenAsync(timeout.Token);
            await using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM webhook_delivery";
            Assert.Equal(1, await delete.ExecuteNonQueryAsync(timeout.Token));
        }

        receiver.Answer = _ => 200;
        var before = receiver.Received.Count;
        await using var second = await SiloProcess.StartAsync(Settings(), timeout.Token);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        var deliveries = await DeliveredAsync(again, webhook, 1, timeout.Token);

        var redelivered = JsonDocument.Parse(receiver.Received.ToArray()[before].Body).RootElement;
        Assert.Equal(deliveries[0].GetProperty("eventId").GetString(), redelivered.GetProperty("id").GetString());
        Assert.Equal("wh-lost", redelivered.GetProperty("subject").GetString());
    }

    /// <summary>
    /// With <paramref name="receiver"/> answering 503: a silo process, a subscription, a deployment rolled back (a
    /// verdict.changed event), <paramref name="before"/>, then SIGKILL. Returns the subscription's id.
    /// </summary>
    private async Task<string> RollBackThenKillAsync(WebhookReceiver receiver, string deploymentId, Func<HttpClient, string, Task> before,
        CancellationToken ct)
    {
        receiver.Answer = _ => 503;
        await using var silo = await SiloProcess.StartAsync(Settings(), ct);
        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var webhook = await SubscribeAsync(http, receiver.Url, ct);
        await RegisterAndRollBackAsync(http, deploymentId, ct);
        await before(http, webhook);
        silo.Kill();
        return webhook;
    }

    internal static string Sign(byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));

    internal static async Task<string> SubscribeAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        using var response = await http.PostAsync("v1/webhooks", new StringContent(JsonSerializer.Serialize(new
        {
            url = url.ToString(),
            events = new[] { "verdict.changed", "deployment.completed" },
            secret = Secret,
        }), Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
    }

    internal static async Task RegisterAndRollBackAsync(HttpClient http, string id, CancellationToken ct)
    {
        using (var register = await http.PostAsync("v1/deployments", new StringContent($$"""
            {"id":"{{id}}","service":"checkout","version":"v2","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true}]}
            """, Encoding.UTF8, "application/json"), ct))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        }

        using var samples = await http.PostAsync("v1/samples", new StringContent($$"""
            {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":0,"total":10000}
            {"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":30,"total":10000}
            """, Encoding.UTF8, "application/x-ndjson"), ct);
        Assert.Equal(HttpStatusCode.OK, samples.StatusCode);
    }

    internal static async Task<JsonElement[]> DeliveriesAsync(HttpClient http, string webhook, CancellationToken ct) =>
        [.. (await http.GetFromJsonAsync<JsonElement>($"v1/webhooks/{webhook}/deliveries", ct)).EnumerateArray()];

    /// <summary>Polls (with the test's deadline) until <paramref name="count"/> deliveries are DELIVERED; returns them, newest first.</summary>
    internal static async Task<JsonElement[]> DeliveredAsync(HttpClient http, string webhook, int count, CancellationToken ct)
    {
        JsonElement[] deliveries = [];
        await UntilAsync(async () =>
        {
            deliveries = await DeliveriesAsync(http, webhook, ct);
            return deliveries.Length == count && deliveries.All(d => d.GetProperty("status").GetString() == "DELIVERED");
        }, ct);
        return deliveries;
    }

    internal static async Task UntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(100, ct);
        }
    }
}
