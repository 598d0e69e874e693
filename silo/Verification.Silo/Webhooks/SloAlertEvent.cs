using System.Globalization;
using System.Text.Json;
using Verification.Analysis.Slo;
using Verification.Api.Contracts;
using Verification.Silo.Grains;
using ContractBurnRate = Verification.Api.Contracts.BurnRate;

namespace Verification.Silo.Webhooks;

/// <summary>
/// The <c>slo.alert</c> webhook event: an SLO's multi-window, multi-burn-rate alert level changed (NONE, TICKET, PAGE; SRE
/// Workbook ch. 5 §6, <see cref="BurnRateAlerting"/>). The service grain writes it into its state's outbox in the same write
/// as the change it reports, as the deployment grain does for <c>verdict.changed</c>.
/// </summary>
internal static class SloAlertEvent
{
    /// <summary>The CloudEvents <c>source</c> of these events (CloudEvents 1.0 §3.1.1: a URI-reference).</summary>
    public const string Source = "/verification/services";

    /// <summary>
    /// The event for <paramref name="slo"/> of <paramref name="service"/> moving from <paramref name="previous"/> to the level
    /// of its governing objective's <paramref name="status"/> (number <paramref name="objective"/>), at <paramref name="now"/>.
    /// </summary>
    public static OutboundEvent Create(string service, ActiveSlo slo, SloStatus status, int objective, AlertLevel previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(slo);
        ArgumentNullException.ThrowIfNull(status);
        var definition = slo.Definition.Objectives[objective];
        var data = new SloAlertEventData(
            service, slo.Entry.Name, definition.DisplayName, definition.Target, previous, ActiveSlo.Map(status.Alert), status.BudgetRemaining,
            [.. status.BurnRates.Select(r => new ContractBurnRate(r.Window, r.Rate))],
            [.. BurnRateAlerting.Firing(status.BurnRates, status.Period.Length).Select(f => new SloAlertFiring(
                ActiveSlo.Map(f.Alert), f.LongWindow, f.LongRate, f.ShortWindow, f.ShortRate, f.Threshold))],
            now);
        return new OutboundEvent(Guid.NewGuid().ToString("N"), WebhookInput.SloAlert, service, service, now,
            JsonSerializer.Serialize(data, ContractJson.Options));
    }

    /// <summary>
    /// One readable line for Slack: <c>checkout SLO 'availability' alert PAGE (was NONE): 1h burn rate 16 and 5m 16, both
    /// above 14.4; error budget remaining 71.2 %.</c>
    /// </summary>
    public static string SlackText(string data)
    {
        var e = JsonSerializer.Deserialize<SloAlertEventData>(data, ContractJson.Options)!;
        var budget = string.Create(CultureInfo.InvariantCulture, $"error budget remaining {e.BudgetRemaining:P1}");
        var level = Upper(e.Level);
        if (e.Level == AlertLevel.None)
        {
            return $"{e.Service} SLO '{e.Slo}' alert resolved (NONE, was {Upper(e.PreviousLevel)}); {budget}.";
        }

        var why = string.Join("; ", e.Firing.Where(f => f.Level == e.Level).Select(f => string.Create(CultureInfo.InvariantCulture,
            $"{f.LongWindow} burn rate {f.LongRate:0.##} and {f.ShortWindow} {f.ShortRate:0.##}, both above {f.Threshold:0.##}")));
        return $"{e.Service} SLO '{e.Slo}' alert {level} (was {Upper(e.PreviousLevel)}): {why}; {budget}.";
    }

    private static string Upper(AlertLevel level) => level.ToString().ToUpperInvariant();
}

/// <summary>The <c>data</c> of an <c>slo.alert</c> event (contract JSON spellings).</summary>
/// <param name="Objective">The display name of the objective whose alert governs the SLO (the highest, then least budget left).</param>
/// <param name="Target">That objective's target.</param>
/// <param name="BurnRates">That objective's burn rate in every window.</param>
/// <param name="Firing">The rules that fire now (empty when the alert resolved).</param>
/// <param name="At">When the change was seen.</param>
internal sealed record SloAlertEventData(
    string Service, string Slo, string? Objective, double Target, AlertLevel PreviousLevel, AlertLevel Level, double BudgetRemaining,
    IReadOnlyList<ContractBurnRate> BurnRates, IReadOnlyList<SloAlertFiring> Firing, DateTimeOffset At);

/// <summary>A multi-window rule that fires: both windows' burn rates above the threshold (the workbook factor scaled to the period).</summary>
internal sealed record SloAlertFiring(AlertLevel Level, string LongWindow, double LongRate, string ShortWindow, double ShortRate, double Threshold);
