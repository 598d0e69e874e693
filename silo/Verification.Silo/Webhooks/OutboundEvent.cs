using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Grains;

namespace Verification.Silo.Webhooks;

/// <summary>
/// An event for webhook subscribers, recorded in the deployment's state in the same write as the change it reports (the
/// outbox of that grain), then handed to <see cref="WebhookOutbox"/>, which keeps one delivery per matching subscription.
/// Its <see cref="Id"/> is chosen once, so every retry and every re-hand-off after a crash carries the same id.
/// </summary>
/// <param name="Type"><c>verdict.changed</c>, <c>deployment.completed</c> or <c>slo.alert</c> (written by the service grain,
/// <see cref="SloAlertEvent"/>).</param>
/// <param name="Subject">The deployment id; the service for <c>slo.alert</c>.</param>
/// <param name="Data">The event's <c>data</c>, JSON text (<see cref="WebhookEventData"/>, <see cref="SloAlertEventData"/>).</param>
internal sealed record OutboundEvent(string Id, string Type, string Subject, string Service, DateTimeOffset Time, string Data)
{
    /// <summary>The events a write from <paramref name="previous"/> to <paramref name="next"/> reports, in order.</summary>
    public static IReadOnlyList<OutboundEvent> Of(string deploymentId, DeploymentState previous, DeploymentState next, DateTimeOffset now)
    {
        var events = new List<OutboundEvent>(2);
        if (!next.Verdict.SameAnswer(previous.Verdict))
        {
            events.Add(Create(WebhookInput.VerdictChanged, deploymentId, next, now));
        }

        if (previous.Status == DeploymentStatus.Verifying && next.Status != DeploymentStatus.Verifying)
        {
            events.Add(Create(WebhookInput.DeploymentCompleted, deploymentId, next, now));
        }

        return events;
    }

    private static OutboundEvent Create(string type, string deploymentId, DeploymentState state, DateTimeOffset now)
    {
        var r = state.Registration;
        var v = state.Verdict;
        var data = new WebhookEventData(deploymentId, r.Service, r.Version, r.Environment, state.Status, v.Decision,
            state.Status != DeploymentStatus.Verifying || v.Decision != Decision.Pending, v.Reason, v.Score, v.DecidedAt, state.FinishedAt);
        return new OutboundEvent(Guid.NewGuid().ToString("N"), type, deploymentId, r.Service, now,
            JsonSerializer.Serialize(data, ContractJson.Options));
    }
}

/// <summary>The <c>data</c> of a webhook event: the deployment and its verdict after the change (contract JSON spellings).</summary>
internal sealed record WebhookEventData(
    string DeploymentId, string Service, string Version, string Environment, DeploymentStatus Status, Decision Decision, bool Final,
    string Reason, double? Score, DateTimeOffset? DecidedAt, DateTimeOffset? FinishedAt);
