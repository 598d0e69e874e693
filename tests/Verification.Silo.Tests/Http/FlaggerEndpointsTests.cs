using System.Net;
using System.Text;
using System.Text.Json;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Http;

/// <summary><c>POST /v1/integrations/flagger</c> driven with Flagger's webhook payloads, checking the status codes Flagger acts on.</summary>
public sealed class FlaggerEndpointsTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task RegisterAsync(string id, bool again = false)
    {
        using var response = await _http.PostAsync("/v1/deployments", new StringContent($$"""
            {"id":"{{id}}","service":"podinfo","version":"6.0.1","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE","critical":true}]}
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(again ? response.StatusCode : HttpStatusCode.Created, response.StatusCode);
    }

    private async Task SamplesAsync(string id, long baselineErrors, long baselineTotal, long canaryErrors, long canaryTotal)
    {
        using var response = await _http.PostAsync("/v1/samples", new StringContent($$"""
            {"deploymentId":"{{id}}","cohort":"BASELINE","metric":"errors","count":{{baselineErrors}},"total":{{baselineTotal}}}
            {"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":{{canaryErrors}},"total":{{canaryTotal}}}
            """, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The payload Flagger POSTs for a hook (flagger pkg/controller/webhook.go: name, namespace, phase, checksum, type, metadata).</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> HookAsync(string type, string? deploymentId, string phase = "Progressing",
        string checksum = "7c9f5d6b8", string extraMetadata = "")
    {
        var fields = new List<string>();
        if (deploymentId is not null)
        {
            fields.Add($"\"deploymentId\":\"{deploymentId}\"");
        }

        if (extraMetadata.Length > 0)
        {
            fields.Add(extraMetadata.Trim());
        }

        var metadata = "{" + string.Join(",", fields) + "}";

        using var response = await _http.PostAsync("/v1/integrations/flagger", new StringContent($$"""
            {"name":"podinfo","namespace":"test","phase":"{{phase}}","checksum":"{{checksum}}","type":"{{type}}","metadata":{{metadata}}}
            """, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Hook_ConfirmRollout_200WhenRegistered404WhenNot()
    {
        await RegisterAsync("fl-confirm");

        var (known, body) = await HookAsync("confirm-rollout", "fl-confirm");
        var (unknown, problem) = await HookAsync("pre-rollout", "fl-nobody");

        Assert.Equal(HttpStatusCode.OK, known);
        Assert.Equal("PENDING", body.GetProperty("decision").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains("'fl-nobody' is not registered", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_DefaultId_NameNamespaceChecksum()
    {
        await RegisterAsync("podinfo.test.abc123");

        var (status, body) = await HookAsync("confirm-rollout", null, checksum: "abc123");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("podinfo.test.abc123", body.GetProperty("deploymentId").GetString());
    }

    [Fact]
    public async Task Hook_RolloutAndTrafficIncrease_200WhilePending412OnRollback()
    {
        await RegisterAsync("fl-rollout");
        var (pending, _) = await HookAsync("rollout", "fl-rollout");
        var (pendingTraffic, _) = await HookAsync("confirm-traffic-increase", "fl-rollout");
        await SamplesAsync("fl-rollout", 0, 10_000, 20, 10_000);

        var (rolledBack, problem) = await HookAsync("rollout", "fl-rollout");
        var (trafficAfter, _) = await HookAsync("confirm-traffic-increase", "fl-rollout");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (pending, pendingTraffic));
        Assert.Equal((HttpStatusCode.PreconditionFailed, HttpStatusCode.PreconditionFailed), (rolledBack, trafficAfter));
        Assert.Equal("ROLLBACK", problem.GetProperty("decision").GetString());
        Assert.StartsWith("rollout: deployment 'fl-rollout' is ROLLBACK. ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_ConfirmPromotion_412UntilPromote()
    {
        await RegisterAsync("fl-promote");
        var (pending, _) = await HookAsync("confirm-promotion", "fl-promote");
        var (rollbackWhilePending, _) = await HookAsync("rollback", "fl-promote");
        await SamplesAsync("fl-promote", 20_000, 2_000_000, 20_000, 2_000_000);

        var (promoted, body) = await HookAsync("confirm-promotion", "fl-promote");
        var (rollbackAfter, _) = await HookAsync("rollback", "fl-promote");

        Assert.Equal(HttpStatusCode.PreconditionFailed, pending);
        Assert.Equal(HttpStatusCode.PreconditionFailed, rollbackWhilePending);
        Assert.True(promoted == HttpStatusCode.OK, body.ToString());
        Assert.Equal("PROMOTE", body.GetProperty("decision").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, rollbackAfter);
    }

    [Fact]
    public async Task Hook_RollbackOnRollback_200()
    {
        await RegisterAsync("fl-rollback");
        await SamplesAsync("fl-rollback", 0, 10_000, 20, 10_000);

        var (status, body) = await HookAsync("rollback", "fl-rollback");
        var (promotion, _) = await HookAsync("confirm-promotion", "fl-rollback");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ROLLBACK", body.GetProperty("decision").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, promotion);
    }

    [Theory]
    [InlineData("Succeeded", "PROMOTED")]
    [InlineData("Failed", "ROLLED_BACK")]
    public async Task Hook_PostRollout_RecordsTheOutcome(string phase, string status)
    {
        var id = "fl-post-" + phase;
        await RegisterAsync(id);

        var (code, body) = await HookAsync("post-rollout", id, phase);
        using var deployment = await _http.GetAsync($"/v1/deployments/{id}");
        var stored = JsonDocument.Parse(await deployment.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(status, body.GetProperty("recorded").GetString());
        Assert.Equal(status, stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hook_PostRolloutUnknownOrConflicting_200NothingRecorded()
    {
        await RegisterAsync("fl-post-twice");
        await HookAsync("post-rollout", "fl-post-twice", "Succeeded");

        var (unknown, unknownBody) = await HookAsync("post-rollout", "fl-post-nobody", "Succeeded");
        var (conflict, conflictBody) = await HookAsync("post-rollout", "fl-post-twice", "Failed");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (unknown, conflict));
        Assert.Equal(JsonValueKind.Null, unknownBody.GetProperty("recorded").ValueKind);
        Assert.Equal(JsonValueKind.Null, conflictBody.GetProperty("recorded").ValueKind);
        Assert.Contains("already completed as PROMOTED", conflictBody.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_Event_200Recorded()
    {
        var (status, body) = await HookAsync("event", "fl-event", extraMetadata: """
            "eventMessage":"Starting canary analysis for podinfo.test","eventType":"Normal","timestamp":"1700000000000"
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("recorded").GetBoolean());
    }

    [Theory]
    [InlineData("""{"name":"p","namespace":"n","checksum":"c","metadata":{}}""", "type")]
    [InlineData("""{"name":"p","namespace":"n","type":"rollout","metadata":{}}""", "checksum")]
    [InlineData("""{"name":"p","namespace":"n","type":"rollout","metadata":{"deploymentId":"a b"}}""", "metadata.deploymentId")]
    [InlineData("""{"name":"p","namespace":"n","checksum":"c","type":"launch","metadata":{"deploymentId":"fl-any"}}""", "type")]
    [InlineData("""[1]""", "body")]
    public async Task Hook_BadPayload_400NamingTheField(string json, string field)
    {
        await RegisterAsync("fl-any", again: true);

        using var response = await _http.PostAsync("/v1/integrations/flagger", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
