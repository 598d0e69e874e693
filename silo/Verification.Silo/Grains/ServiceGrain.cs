using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Verification.Analysis.Slo;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Slo;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;
using Verification.Silo.Webhooks;
using Contracts = Verification.Api.Contracts;

namespace Verification.Silo.Grains;

/// <summary>
/// One grain per service name: its SLO definitions and their 1-minute buckets, its release policy (the budget gate),
/// the promotions it watches for an SLO page, and its incidents. It never calls a deployment grain, so the calls
/// deployment → service cannot form a cycle.
/// </summary>
/// <remarks>
/// Persistence: every accepted event batch is a journal entry (its batchId is the entry's unique batch id), written with
/// the state in one transaction before the answer. Once <see cref="SnapshotEveryEntries"/> entries have accumulated, the
/// next write first appends a snapshot entry: every objective's buckets (<see cref="SloBucketCodec"/>) counting all
/// entries before it; the state records its sequence. Activation restores the latest snapshot and replays only the
/// entries after it, so its cost is bounded by the snapshot interval, not by the SLO window. Snapshots go to the journal
/// rather than the state because the state is rewritten by every write, and a 30-day snapshot is ~200 KB.
/// Batch ids are remembered in memory for <see cref="IdempotencyHorizon"/> after they arrive (activation also replays
/// the entries of that horizon for their ids, located by hourly checkpoints); an id older than that is still refused by
/// the journal's unique index and answered as a duplicate.
/// <para>
/// Alerts: the burn-rate alert level of every SLO is kept in the state (<see cref="ServiceState.Alerts"/>); a write that
/// changes one (an event batch, a changed definition) carries an <c>slo.alert</c> webhook event in the state's outbox
/// (<see cref="ServiceState.Outbox"/>), committed with it and then handed to the webhook outbox. Burn rates also move
/// with time alone (windows slide past bad or good minutes), so while any rate is above 0 or an alert fires, a reminder
/// (<see cref="AlertClockReminder"/>, every <see cref="WebhookOptions.SloAlertClockMinutes"/>) looks again.
/// </para>
/// </remarks>
internal sealed partial class ServiceGrain(
    TimeProvider time,
    SiloMetrics metrics,
    IGrainStorage journal,
    IPersistentStateFactory states,
    WebhookOutbox outbox,
    IOptions<WebhookOptions> webhooks,
    ILogger<ServiceGrain> logger)
    : StoredGrain<ServiceState>(states, journal, metrics, TypeName), IServiceGrain, IRemindable
{
    public const string TypeName = "service";

    /// <summary>The reminder that looks for alert changes of time alone.</summary>
    public const string AlertClockReminder = "slo-alert-clock";

    /// <summary>How many journal entries a snapshot may lag behind: the most an activation replays into buckets.</summary>
    public const int SnapshotEveryEntries = 1000;

    /// <summary>How often the journal position is checkpointed with the time (to find the idempotency horizon's start).</summary>
    public static readonly TimeSpan CheckpointEvery = TimeSpan.FromHours(1);

    /// <summary>How long a batch id is remembered in memory (a retry comes within minutes; the journal index guards beyond).</summary>
    public static readonly TimeSpan IdempotencyHorizon = TimeSpan.FromHours(24);

    /// <summary>Most incidents kept per service (the oldest resolved ones go first).</summary>
    public const int MaxIncidents = 1000;

    /// <summary>Most incidents <see cref="GetAsync"/> lists (newest first).</summary>
    public const int ListedIncidents = 50;

    private readonly Dictionary<string, ActiveSlo> _slos = new(StringComparer.Ordinal);

    // Batch ids of the horizon in arrival order, and as a set.
    private readonly Queue<(long Sequence, string Id)> _idOrder = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    private ServiceState Current => State ?? ServiceState.Empty;

    /// <summary>The hand-off of the stored state's outbox to the webhook outbox by this activation.</summary>
    private readonly OutboxHandOff _handOff = new(outbox);

    /// <summary>Whether this grain's alert clock reminder is registered; null until this activation knows.</summary>
    private bool? _alertClock;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        if (State is not { } state)
        {
            // Entries appended before the first state write failed (a crash between the two commits): continue after them.
            var appended = 0L;
            await foreach (var entry in ReadJournalAsync(0, cancellationToken).ConfigureAwait(true))
            {
                appended = entry.Sequence;
            }

            if (appended > 0)
            {
                Recover(ServiceState.Empty with { NextSequence = appended + 1 });
            }

            return;
        }

        var parsed = state.Sources.Select(ParseOwn).ToList();
        foreach (var entry in state.Slos)
        {
            _slos[entry.Name] = ActiveSlo.Create(parsed[entry.Source][entry.Name], entry, null);
        }

        // Replay from the snapshot, or earlier when the idempotency horizon reaches further back (then for batch ids only).
        var snapshot = state.SnapshotSequence;
        var now = time.GetUtcNow();
        var replayFrom = Math.Min(snapshot == 0 ? 1 : snapshot, DedupeFrom(state.Checkpoints, now));
        var last = 0L;
        await foreach (var journal in ReadJournalAsync(replayFrom - 1, cancellationToken).ConfigureAwait(true))
        {
            last = journal.Sequence;
            Remember(journal.Sequence, journal.BatchId);
            if (journal.Sequence < snapshot)
            {
                continue;
            }

            var entry = JsonSerializer.Deserialize<ServiceJournalEntry>(journal.Payload.Span, ContractJson.Options)!;
            if (entry.Snapshot is { } buckets && journal.Sequence == snapshot)
            {
                foreach (var name in _slos.Keys.ToList())
                {
                    _slos[name] = _slos[name].Restore(buckets);
                }
            }
            else if (entry.Event is { } e && _slos.TryGetValue(e.Slo, out var slo) && journal.Sequence >= slo.Entry.FromSequence)
            {
                slo.Add(e, now);
            }
        }

        if (last >= state.NextSequence)
        {
            // Appended (and replayed above), but the state counting them was not written (a crash between the two
            // commits): the next entry goes after them.
            Recover(state with { NextSequence = last + 1 });
        }

        // Events committed with the state but perhaps not handed off before a crash: handed off again (idempotent by id).
        try
        {
            await _handOff.HandAsync(State!.Outbox, cancellationToken).ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogHandOffFailed(logger, e, Key);
        }
    }

    public async Task<IReadOnlyList<Contracts.Slo>> ApplySlosAsync(string yaml, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var definitions = ParseOwn(yaml);
        if (definitions.Count == 0)
        {
            return [];
        }

        var state = Current;
        var now = time.GetUtcNow();
        var changed = definitions.Values.Where(d => !_slos.TryGetValue(d.Name, out var a) || !a.Definition.Equals(d)).ToList();
        if (changed.Count > 0)
        {
            // A new or changed definition starts with empty buckets: its events so far were counted against another
            // target or window, and mixing them would make the budget mean neither. Same definition again: no change.
            var sources = state.Sources.ToList();
            var source = sources.IndexOf(yaml);
            if (source < 0)
            {
                sources.Add(yaml);
                source = sources.Count - 1;
            }

            // The write starts with a snapshot (the changed SLOs empty in it); events after it count for the new definitions.
            var snapshotSequence = state.NextSequence;
            var replaced = new Dictionary<string, ActiveSlo>(_slos, StringComparer.Ordinal);
            foreach (var definition in changed)
            {
                replaced[definition.Name] = ActiveSlo.Create(definition, new SloEntryState(definition.Name, source, now, snapshotSequence + 1), null);
            }

            // Drop sources no SLO is defined by any more, renumbering the entries.
            var used = replaced.Values.Select(a => a.Entry.Source).Distinct().Order().ToList();
            var entries = replaced.Values
                .Select(a => a.Entry with { Source = used.IndexOf(a.Entry.Source) })
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
            var buckets = Snapshot(replaced.Values);
            var (next, ticking) = WithAlerts(state with
            {
                Sources = [.. used.Select(i => sources[i])],
                Slos = entries,
                NextSequence = snapshotSequence + 1,
                SnapshotSequence = snapshotSequence,
                Checkpoints = Checkpoint(state, now, force: true),
            }, replaced.Values, now);
            await WriteStateAsync(next, [SnapshotEntry(snapshotSequence, buckets)], cancellationToken).ConfigureAwait(true);
            _slos.Clear();
            foreach (var entry in entries)
            {
                _slos[entry.Name] = ActiveSlo.Create(replaced[entry.Name].Definition, entry, buckets);
            }

            await AfterAlertsAsync(next, ticking).ConfigureAwait(true);
        }

        return [.. definitions.Values.Select(d => _slos[d.Name]).Select(a => a.ToContract(a.Evaluate(now)))];
    }

    public Task<IReadOnlyList<SloRuleSource>> GetRuleSourcesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<SloRuleSource>>(
            [.. _slos.Values.OrderBy(s => s.Entry.Name, StringComparer.Ordinal).Select(s => PrometheusRules.Source(s.Definition, now))]);
    }

    public Task<IReadOnlyList<SloEventWindow>> GetEventWindowsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<SloEventWindow>>([.. _slos.Values.Select(s => s.EventWindow(now))]);
    }

    public Task<SloMinutePage> ReadMinutesAsync(string? afterSlo, DateTimeOffset afterMinute, int first, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(first);
        var minutes = new List<SloMinute>(Math.Min(first, 1024));
        foreach (var (name, slo) in _slos.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (afterSlo is not null && string.CompareOrdinal(name, afterSlo) < 0)
            {
                continue;
            }

            foreach (var bucket in slo.Minutes())
            {
                var minute = DateTimeOffset.UnixEpoch.AddTicks(bucket.Minute * TimeSpan.TicksPerMinute);
                if (name == afterSlo && minute <= afterMinute)
                {
                    continue;
                }

                if (minutes.Count == first)
                {
                    return Task.FromResult(new SloMinutePage(minutes, More: true));
                }

                minutes.Add(new SloMinute(name, minute, bucket.Good, bucket.Total));
            }
        }

        return Task.FromResult(new SloMinutePage(minutes, More: false));
    }

    public async Task<SloEventsResult> RecordEventsAsync(IReadOnlyList<SloEventsInput> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var now = time.GetUtcNow();
        var windows = await GetEventWindowsAsync(cancellationToken).ConfigureAwait(true);
        var state = Current;
        var accepted = new List<(JournalEntry Journal, SloEventEntry Event)>();
        var newIds = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        // Due a snapshot: it goes first, counting the entries already journaled (this write's events are not in the
        // buckets yet, and are not fed before the write succeeds).
        var snapshotDue = state.NextSequence - state.SnapshotSequence > SnapshotEveryEntries;
        var sequence = snapshotDue ? state.NextSequence + 1 : state.NextSequence;
        var perMinute = new Dictionary<(string Slo, long Minute), long>();
        foreach (var input in events)
        {
            if (input.Service != Key)
            {
                throw new InputException("service", $"'{input.Service}' does not match the addressed service '{Key}'");
            }

            var at = SloEventValidation.Validate(input, windows, now);
            if (input.BatchId is { } id && (_ids.Contains(id) || !newIds.Add(id)))
            {
                duplicates++;
                continue;
            }

            // A stamp slightly ahead of now is counted in now's minute (SloBuckets.Add); journal the minute it counted in
            // so that a replay at a later time counts it in the same one.
            var entry = new SloEventEntry(input.Slo, at > now ? now : at, input.Good, input.Total);
            if (_slos.TryGetValue(entry.Slo, out var slo))
            {
                // Each minute holds at most SloBuckets.MaxEventsPerMinute events, so sums stay exact: refused before anything is written.
                var minute = (entry.Slo, entry.At.UtcTicks / TimeSpan.TicksPerMinute);
                var total = perMinute.GetValueOrDefault(minute) + entry.Total;
                if (total > slo.Room(entry.At, now))
                {
                    throw new InputException("total",
                        $"at most {SloBuckets.MaxEventsPerMinute} events per minute per SLO; the minute of {entry.At:O} of '{entry.Slo}' would hold more");
                }

                perMinute[minute] = total;
            }

            var payload = JsonSerializer.SerializeToUtf8Bytes(new ServiceJournalEntry(entry, null), ContractJson.Options);
            accepted.Add((new JournalEntry(sequence++, input.BatchId, payload), entry));
        }

        if (accepted.Count == 0)
        {
            return new SloEventsResult(0, duplicates);
        }

        var next = state with { NextSequence = sequence, Checkpoints = Checkpoint(state, now, force: false) };
        var journal = accepted.Select(a => a.Journal).ToList();
        if (snapshotDue)
        {
            next = next with { SnapshotSequence = state.NextSequence };
            journal.Insert(0, SnapshotEntry(state.NextSequence, Snapshot(_slos.Values)));
        }

        // Counted before the write (the snapshot above was taken without them), so that the alert change they cause is stored
        // with them; a failed write takes them back (a conflict below) or drops the activation (StoredGrain.Invoke).
        foreach (var (_, entry) in accepted)
        {
            _slos[entry.Slo].Add(entry, now);
        }

        (next, var ticking) = WithAlerts(next, _slos.Values, now);
        try
        {
            await WriteStateAsync(next, journal, cancellationToken).ConfigureAwait(true);
        }
        catch (GrainStateConflictException) when (accepted.Any(a => a.Journal.BatchId is not null))
        {
            foreach (var (_, entry) in accepted)
            {
                _slos[entry.Slo].Remove(entry, now);
            }

            // Either another writer changed the state (the runtime reloads and re-runs the call), or a batch id older
            // than the in-memory horizon is in the journal already: then write one batch at a time to find which.
            return await RecordOneByOneAsync(accepted, duplicates, now, cancellationToken).ConfigureAwait(true);
        }

        foreach (var (entryJournal, _) in accepted)
        {
            Remember(entryJournal.Sequence, entryJournal.BatchId);
        }

        await AfterAlertsAsync(next, ticking).ConfigureAwait(true);
        await OpenIncidentOnPageAsync(now, cancellationToken).ConfigureAwait(true);
        return new SloEventsResult(accepted.Count, duplicates);
    }

    public Task<Service?> GetAsync(CancellationToken cancellationToken)
    {
        if (State is not { } state)
        {
            return Task.FromResult<Service?>(null);
        }

        var now = time.GetUtcNow();
        var slos = _slos.Values.OrderBy(s => s.Entry.Name, StringComparer.Ordinal).ToList();
        var statuses = slos.Select(s => s.Evaluate(now)).ToList();
        var incidents = state.Incidents.OrderByDescending(i => i.OpenedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal).Take(ListedIncidents);
        return Task.FromResult<Service?>(new Service(
            Key,
            [.. slos.Select((s, i) => s.ToContract(statuses[i]))],
            state.Policy,
            Gate(slos, statuses, state.Policy, now),
            [.. incidents]));
    }

    public async Task<ReleasePolicy> SetPolicyAsync(ReleasePolicy policy, CancellationToken cancellationToken)
    {
        ReleasePolicyValidation.Validate(policy);
        if (State is null || Current.Policy != policy)
        {
            await WriteStateAsync(Current with { Policy = policy }, cancellationToken).ConfigureAwait(true);
        }

        return policy;
    }

    public Task<ReleaseGate> CheckReleaseAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var slos = _slos.Values.OrderBy(s => s.Entry.Name, StringComparer.Ordinal).ToList();
        return Task.FromResult(Gate(slos, [.. slos.Select(s => s.Evaluate(now))], Current.Policy, now));
    }

    public async Task DeploymentCompletedAsync(DeploymentCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var state = Current;
        var now = time.GetUtcNow();
        // Only promotions open the incident window; a rollback already undid the change. Same completion again: no change.
        if (completion.Status != DeploymentStatus.Promoted || state.Promotions.Any(p => p.DeploymentId == completion.DeploymentId))
        {
            return;
        }

        var keep = TimeSpan.FromMinutes(ReleasePolicy.MaxIncidentWindowMinutes);
        var promotions = state.Promotions.Where(p => now - p.At <= keep).Append(new PromotionState(completion.DeploymentId, completion.At, false));
        await WriteStateAsync(state with { Promotions = [.. promotions] }, cancellationToken).ConfigureAwait(true);
        await OpenIncidentOnPageAsync(now, cancellationToken).ConfigureAwait(true);
    }

    public async Task<Incident> OpenIncidentAsync(OpenIncidentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = time.GetUtcNow();
        var openedAt = input.OpenedAt?.ToUniversalTime() ?? now;
        if (openedAt > now + SloBuckets.MaxClockSkew)
        {
            throw new InputException("openedAt", $"{openedAt:O} is in the future (now {now:O})");
        }

        var state = Current;
        var incident = new Incident(IncidentIds.Format(Key, state.NextIncident), Key,
            input.Title ?? $"Incident of service '{Key}'", input.DeploymentId, IncidentSource.Manual, null, openedAt, null, null);
        await WriteStateAsync(WithIncident(state, incident), cancellationToken).ConfigureAwait(true);
        return incident;
    }

    public async Task<Incident> ResolveIncidentAsync(string id, ResolveIncidentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = Current;
        var incident = state.Incidents.FirstOrDefault(i => i.Id == id)
            ?? throw new NotFoundException($"Incident '{id}' of service '{Key}' does not exist.");
        var now = time.GetUtcNow();
        if (incident.ResolvedAt is { } resolvedAt)
        {
            return (input.ResolvedAt is null || input.ResolvedAt == resolvedAt)
                && (input.FixedByDeploymentId is null || input.FixedByDeploymentId == incident.FixedByDeploymentId)
                ? incident
                : throw ConflictException.OnField(
                    input.ResolvedAt is null || input.ResolvedAt == resolvedAt ? "fixedByDeploymentId" : "resolvedAt",
                    $"Incident '{id}' was already resolved at {resolvedAt:O}.");
        }

        var at = input.ResolvedAt?.ToUniversalTime() ?? now;
        if (at < incident.OpenedAt)
        {
            throw new InputException("resolvedAt", $"{at:O} is before the incident opened ({incident.OpenedAt:O})");
        }

        if (at > now + SloBuckets.MaxClockSkew)
        {
            throw new InputException("resolvedAt", $"{at:O} is in the future (now {now:O})");
        }

        var resolved = incident with { ResolvedAt = at, FixedByDeploymentId = input.FixedByDeploymentId };
        await WriteStateAsync(state with { Incidents = [.. state.Incidents.Select(i => i.Id == id ? resolved : i)] }, cancellationToken)
            .ConfigureAwait(true);
        return resolved;
    }

    /// <summary>The gate under <paramref name="policy"/>: the first SLO (by name) with an objective that blocks, with its numbers.</summary>
    private ReleaseGate Gate(IReadOnlyList<ActiveSlo> slos, IReadOnlyList<IReadOnlyList<SloStatus>> statuses, ReleasePolicy policy, DateTimeOffset now)
    {
        for (var i = 0; i < slos.Count; i++)
        {
            foreach (var status in statuses[i])
            {
                var alert = ActiveSlo.Map(status.Alert);
                var spent = status.BudgetRemaining <= policy.MinBudgetRemaining;
                var alerting = (policy.BlockOnPage && alert == AlertLevel.Page) || (policy.BlockOnTicket && alert >= AlertLevel.Ticket);
                var burning = policy.MaxBurnRate is { } limit && status.BurnRates.First(r => r.Window == limit.Window).Rate > limit.Rate;
                if (spent || alerting || burning)
                {
                    var name = slos[i].Entry.Name;
                    var hourly = status.BurnRates.First(r => r.Window == BurnRateWindows.OneHour).Rate;
                    var why = spent
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"its error budget remaining is {status.BudgetRemaining:P1} (the policy needs more than {policy.MinBudgetRemaining:P1})")
                        : alerting
                        ? string.Create(CultureInfo.InvariantCulture, $"it is burning its budget at {alert.ToString().ToUpperInvariant()} level (1h burn rate {hourly:0.##})")
                        : BurnRateReason(status, policy.MaxBurnRate!);
                    return new ReleaseGate(false,
                        $"SLO '{name}' of service '{Key}' blocks promotion: {why}.", name, status.BudgetRemaining, alert, now);
                }
            }
        }

        return new ReleaseGate(true,
            slos.Count == 0 ? $"Service '{Key}' has no SLOs; nothing blocks promotion." : $"No SLO of service '{Key}' blocks promotion.",
            null, null, null, now);
    }

    /// <summary>Why <c>maxBurnRate</c> blocks, naming the window and both rates.</summary>
    private static string BurnRateReason(SloStatus status, BurnRateLimit limit) => string.Create(CultureInfo.InvariantCulture,
        $"its {limit.Window} burn rate is {status.BurnRates.First(r => r.Window == limit.Window).Rate:0.##}, above the policy's maxBurnRate of {limit.Rate:0.##} over {limit.Window}");

    /// <summary>
    /// Opens one incident per promotion when an SLO pages within the policy's window after it, linked to the latest such
    /// promotion (the likeliest cause); every promotion in the window counts as handled, so one page opens one incident.
    /// </summary>
    private async Task OpenIncidentOnPageAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var state = Current;
        var window = TimeSpan.FromMinutes(state.Policy.IncidentWindowMinutes);
        var watched = state.Promotions.Where(p => !p.Handled && p.At <= now && now - p.At <= window).ToList();
        if (watched.Count == 0 || window == TimeSpan.Zero)
        {
            return;
        }

        var paging = _slos.Values.OrderBy(s => s.Entry.Name, StringComparer.Ordinal)
            .FirstOrDefault(s => s.Evaluate(now).Any(o => o.Alert == SloAlert.Page));
        if (paging is null)
        {
            return;
        }

        var cause = watched.MaxBy(p => p.At)!;
        var minutes = (long)(now - cause.At).TotalMinutes;
        var incident = new Incident(IncidentIds.Format(Key, state.NextIncident), Key,
            $"SLO '{paging.Entry.Name}' paged {minutes} min after deployment '{cause.DeploymentId}' was promoted",
            cause.DeploymentId, IncidentSource.SloPage, paging.Entry.Name, now, null, null);
        var next = WithIncident(state, incident) with
        {
            Promotions = [.. state.Promotions.Select(p => watched.Contains(p) ? p with { Handled = true } : p)],
        };
        await WriteStateAsync(next, cancellationToken).ConfigureAwait(true);
    }

    private async Task<SloEventsResult> RecordOneByOneAsync(
        List<(JournalEntry Journal, SloEventEntry Event)> batch, int duplicates, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expectedVersion = Version;
        await ReadStateAsync(cancellationToken).ConfigureAwait(true);
        if (Version != expectedVersion)
        {
            throw new GrainStateConflictException($"Service '{Key}' was changed by another writer.");
        }

        var accepted = 0;
        foreach (var (journal, entry) in batch)
        {
            var single = journal with { Sequence = Current.NextSequence };
            try
            {
                await WriteStateAsync(Current with { NextSequence = single.Sequence + 1 }, [single], cancellationToken).ConfigureAwait(true);
            }
            catch (GrainStateConflictException) when (single.BatchId is not null)
            {
                var version = Version;
                await ReadStateAsync(cancellationToken).ConfigureAwait(true);
                if (Version != version)
                {
                    throw;
                }

                duplicates++;
                continue;
            }

            Remember(single.Sequence, single.BatchId);
            _slos[entry.Slo].Add(entry, now);
            accepted++;
        }

        // The rare path (a batch id older than the in-memory horizon): the alert change is stored by a write of its own.
        await StoreAlertChangesAsync(now, cancellationToken).ConfigureAwait(true);
        await OpenIncidentOnPageAsync(now, cancellationToken).ConfigureAwait(true);
        return new SloEventsResult(accepted, duplicates);
    }

    /// <summary>A tick of the alert clock: stores (and reports) the alert changes time alone made, then schedules the next.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != AlertClockReminder)
        {
            return;
        }

        try
        {
            await StoreAlertChangesAsync(time.GetUtcNow(), CancellationToken.None).ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAlertClockFailed(logger, e, Key);
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Compares every SLO's alert level at <paramref name="now"/> with the stored one and, when any changed, writes the new
    /// levels with an <c>slo.alert</c> event per change; hands off events a failed hand-off left; schedules the alert clock.
    /// </summary>
    private async Task StoreAlertChangesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (State is not { } state)
        {
            await ScheduleAlertClockAsync(false).ConfigureAwait(true);
            return;
        }

        var (next, ticking) = WithAlerts(state, _slos.Values, now);
        if (ReferenceEquals(next.Alerts, state.Alerts))
        {
            if (!_handOff.HandedOff)
            {
                await _handOff.HandAsync(state.Outbox, cancellationToken).ConfigureAwait(true);
            }

            await ScheduleAlertClockAsync(ticking).ConfigureAwait(true);
            return;
        }

        await WriteStateAsync(next, cancellationToken).ConfigureAwait(true);
        await AfterAlertsAsync(next, ticking).ConfigureAwait(true);
    }

    /// <summary>
    /// <paramref name="next"/> with the alert levels of <paramref name="slos"/> at <paramref name="now"/> and an <c>slo.alert</c>
    /// event per level that differs from the stored one (added to its outbox with those not handed off yet); the same
    /// <see cref="ServiceState.Alerts"/> instance when no level changed. <c>Ticking</c>: whether time alone may change a level
    /// (some burn rate above 0 or some alert firing), so that the alert clock must run.
    /// </summary>
    private (ServiceState Next, bool Ticking) WithAlerts(ServiceState next, IEnumerable<ActiveSlo> slos, DateTimeOffset now)
    {
        var stored = Current.Alerts ?? [];
        var levels = new List<SloAlertState>();
        var events = new List<OutboundEvent>();
        var ticking = false;
        foreach (var slo in slos.OrderBy(s => s.Entry.Name, StringComparer.Ordinal))
        {
            var statuses = slo.Evaluate(now);
            var governing = ActiveSlo.Governing(statuses);
            var level = ActiveSlo.Map(statuses[governing].Alert);
            ticking |= statuses.Any(o => o.Alert != Verification.Analysis.Slo.SloAlert.None || o.BurnRates.Any(r => r.Rate > 0));
            var previous = stored.FirstOrDefault(a => a.Slo == slo.Entry.Name);
            var previousLevel = previous?.Level ?? AlertLevel.None;
            if (level != previousLevel)
            {
                events.Add(SloAlertEvent.Create(Key, slo, statuses[governing], governing, previousLevel, now));
            }

            if (level != AlertLevel.None)
            {
                levels.Add(level == previousLevel ? previous! : new SloAlertState(slo.Entry.Name, level, now));
            }
        }

        if (events.Count == 0 && levels.Count == stored.Count)
        {
            return (next with { Alerts = Current.Alerts }, ticking);
        }

        List<OutboundEvent> outboxed = [.. _handOff.Pending(Current.Outbox), .. events];
        return (next with { Alerts = levels.Count == 0 ? null : levels, Outbox = outboxed.Count == 0 ? null : outboxed }, ticking);
    }

    /// <summary>After a write of <see cref="WithAlerts"/>' state: hands its outbox off and brings the alert clock in line.</summary>
    private async Task AfterAlertsAsync(ServiceState written, bool ticking)
    {
        try
        {
            await _handOff.HandAsync(written.Outbox, CancellationToken.None).ConfigureAwait(true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Committed: the next alert write, tick or activation (and the dispatcher's recovery at start) hands it again.
            LogHandOffFailed(logger, e, Key);
        }

        await ScheduleAlertClockAsync(ticking).ConfigureAwait(true);
    }

    /// <summary>Registers the alert clock's reminder while <paramref name="ticking"/> (and the clock is on), else removes it.</summary>
    private async Task ScheduleAlertClockAsync(bool ticking)
    {
        var minutes = webhooks.Value.SloAlertClockMinutes;
        var run = ticking && minutes > 0;
        if (_alertClock == run)
        {
            return;
        }

        if (run)
        {
            var period = TimeSpan.FromMinutes(minutes);
            await this.RegisterOrUpdateReminder(AlertClockReminder, period, period).ConfigureAwait(true);
        }
        else if (await this.GetReminder(AlertClockReminder).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }

        _alertClock = run;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SLO alert clock tick of service {Service} failed; the reminder ticks again")]
    private static partial void LogAlertClockFailed(ILogger logger, Exception exception, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing the slo.alert events of service {Service} to the webhook outbox failed; handed again later")]
    private static partial void LogHandOffFailed(ILogger logger, Exception exception, string service);

    /// <summary>The SLO definitions of this service in an OpenSLO input, by name (the input was validated by the caller).</summary>
    private Dictionary<string, SloDefinition> ParseOwn(string yaml)
    {
        var parsed = OpenSloParser.Parse(yaml);
        if (!parsed.IsValid)
        {
            throw new SloDefinitionException(parsed.Errors);
        }

        return parsed.Slos.Where(s => s.Service == Key).ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    private static List<ObjectiveBucketsState> Snapshot(IEnumerable<ActiveSlo> slos) => [.. slos.SelectMany(s => s.SnapshotObjectives())];

    private static JournalEntry SnapshotEntry(long sequence, IReadOnlyList<ObjectiveBucketsState> buckets) =>
        new(sequence, null, JsonSerializer.SerializeToUtf8Bytes(new ServiceJournalEntry(null, buckets), ContractJson.Options));

    /// <summary>
    /// Adds a checkpoint at the current journal end when forced or the last is <see cref="CheckpointEvery"/> old; keeps the
    /// newest one older than the horizon and all after it.
    /// </summary>
    private static IReadOnlyList<CheckpointState> Checkpoint(ServiceState state, DateTimeOffset now, bool force)
    {
        if (!force && state.Checkpoints.Count > 0 && now - state.Checkpoints[^1].At < CheckpointEvery)
        {
            return state.Checkpoints;
        }

        var all = state.Checkpoints.Append(new CheckpointState(state.NextSequence, now)).ToList();
        var firstNeeded = all.FindLastIndex(c => now - c.At >= IdempotencyHorizon);
        return firstNeeded <= 0 ? all : all[firstNeeded..];
    }

    /// <summary>The first journal sequence whose batch id may still be inside the horizon.</summary>
    private static long DedupeFrom(IReadOnlyList<CheckpointState> checkpoints, DateTimeOffset now)
    {
        var from = 1L;
        foreach (var c in checkpoints)
        {
            if (now - c.At >= IdempotencyHorizon)
            {
                from = c.Sequence;
            }
        }

        return from;
    }

    private void Remember(long sequence, string? batchId)
    {
        if (batchId is null)
        {
            return;
        }

        _idOrder.Enqueue((sequence, batchId));
        _ids.Add(batchId);
        // Bounded memory: forget ids older than the horizon (their entries precede the oldest checkpoint still needed).
        var from = DedupeFrom(Current.Checkpoints, time.GetUtcNow());
        while (_idOrder.TryPeek(out var oldest) && oldest.Sequence < from)
        {
            _ids.Remove(_idOrder.Dequeue().Id);
        }
    }

    private static ServiceState WithIncident(ServiceState state, Incident incident)
    {
        var incidents = state.Incidents.Append(incident).ToList();
        while (incidents.Count > MaxIncidents)
        {
            var oldest = incidents.Where(i => i.ResolvedAt is not null).MinBy(i => i.OpenedAt) ?? incidents.MinBy(i => i.OpenedAt)!;
            incidents.Remove(oldest);
        }

        return state with { Incidents = incidents, NextIncident = state.NextIncident + 1 };
    }
}
