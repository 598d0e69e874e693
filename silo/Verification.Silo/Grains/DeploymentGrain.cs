using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;
using Verification.Silo.Webhooks;

namespace Verification.Silo.Grains;

/// <summary>
/// One grain per deployment (keyed by deploy ID): owns the registration, appends sample batches durably to its
/// journal (acknowledged only after commit; the state row follows, see below), keeps summaries, and re-judges.
/// A PROMOTE of the judge passes the service grain's budget gate first; completion is reported to the service grain.
/// Both are awaited grain-to-grain calls in this grain's turn; the service grain never calls back, so no cycle.
/// Time-only verdict changes are judged by the verdict clock: a reminder and, while a promotion is held, a timer
/// (<see cref="VerdictClock"/>). A record that changes only the counts appends its journal entries alone and leaves the
/// state row to be written within <c>Grains:StateWriteSeconds</c> (<see cref="StateWriteOptions"/>, <see cref="StoreAsync"/>).
/// </summary>
internal sealed partial class DeploymentGrain(
    TimeProvider time,
    IVerdictFeed verdicts,
    SiloMetrics metrics,
    IGrainStorage journal,
    IPersistentStateFactory states,
    IOptions<VerdictClockOptions> clock,
    IOptions<StateWriteOptions> stateWrites,
    WebhookOutbox outbox,
    PrometheusPull pull,
    ILogger<DeploymentGrain> logger)
    : StoredGrain<DeploymentState>(states, journal, metrics, TypeName, stateWrites.Value.Delay), IDeploymentGrain, IRemindable
{
    public const string TypeName = "deployment";

    /// <summary>The clock's timer period while a promotion is held; null when the clock is off.</summary>
    private readonly TimeSpan? _clockPeriod = clock.Value.ClockSeconds > 0 ? TimeSpan.FromSeconds(clock.Value.ClockSeconds) : null;

    /// <summary>The clock's timer, running while a promotion is held.</summary>
    private IGrainTimer? _clockTimer;

    /// <summary>When this activation's clock last judged; null until its first tick.</summary>
    private DateTimeOffset? _clockJudgedAt;

    /// <summary>Batch ids already stored, rebuilt from the journal on activation.</summary>
    private readonly HashSet<string> _batchIds = new(StringComparer.Ordinal);

    private IReadOnlyList<MetricDefinition>? _definitions;
    private DeploymentJudge? _judge;

    /// <summary>When this activation last judged; null until its first judgement.</summary>
    private DateTimeOffset? _judgedAt;

    /// <summary>The hand-off of the stored state's outbox to the webhook outbox by this activation.</summary>
    private readonly OutboxHandOff _handOff = new(outbox);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        _definitions = State is null ? null : DeploymentValidation.Definitions(State.Registration);
        if (State is null)
        {
            return;
        }

        // Events committed with the state but perhaps not handed off before a crash: handed off again (idempotent by id).
        await _handOff.HandAsync(State.Outbox, cancellationToken).ConfigureAwait(true);

        // Replay the journal: the judge's summaries are a function of the stored samples only.
        var registered = State;
        _judge = new DeploymentJudge(registered.Registration);
        var summaries = new Dictionary<(string Metric, Cohort Cohort), SummaryState>();
        var last = 0L;
        await foreach (var entry in ReadJournalAsync(0, cancellationToken).ConfigureAwait(true))
        {
            if (entry.BatchId is not null)
            {
                _batchIds.Add(entry.BatchId);
            }

            var batch = SampleBatchCodec.Decode(entry.Payload.Span);
            _judge.Add(batch);
            summaries[(batch.Metric, batch.Cohort)] = Add(summaries.GetValueOrDefault((batch.Metric, batch.Cohort)), batch);
            last = entry.Sequence;
        }

        if (last >= registered.NextSequence)
        {
            // Appended, but the state counting them was not written (a crash between the two commits): count them now.
            // The verdict is judged again by the next read (no judgement yet in this activation).
            Recover(registered with { NextSequence = last + 1, Summaries = Ordered(summaries.Values) });
        }

        // A deployment stored before its clock was a reminder gets one now (VerdictClockSweep activates those); a held
        // promotion starts its timer.
        var current = State!;
        var scheduled = await ScheduleClockAsync(current, time.GetUtcNow()).ConfigureAwait(true);
        if (!ReferenceEquals(scheduled, current))
        {
            await WriteStateAsync(scheduled, cancellationToken).ConfigureAwait(true);
        }

        await StartPullAsync(reminderKnown: false).ConfigureAwait(true);
    }

    public async Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var normalized = DeploymentValidation.Normalize(await WithTemplateAsync(input, cancellationToken).ConfigureAwait(true));
        if (normalized.Id != Key)
        {
            throw new InputException("id", $"'{normalized.Id}' does not match the addressed deployment '{Key}'");
        }

        if (State is { } existing)
        {
            var difference = FirstDifference(existing.Registration, normalized);
            return difference is null
                ? new RegisterResult(ToDeployment(existing), Created: false)
                : throw ConflictException.OnField(
                    difference, $"Deployment '{Key}' is already registered with a different {difference}; register the change under a new id.");
        }

        var now = time.GetUtcNow();
        var judge = new DeploymentJudge(normalized);
        var state = new DeploymentState(normalized, now, null, DeploymentStatus.Verifying, 1, [], judge.Judge(Verdicts.NotJudged, now, now));
        state = await ScheduleClockAsync(state, now).ConfigureAwait(true);
        await WriteStateAsync(state, cancellationToken).ConfigureAwait(true);
        _definitions = DeploymentValidation.Definitions(normalized);
        _judge = judge;
        verdicts.Publish(Key, state.Verdict);
        Metrics.VerdictChanged(normalized.Service, state.Verdict.Decision);
        await StartPullAsync(reminderKnown: false).ConfigureAwait(true);
        return new RegisterResult(ToDeployment(state), Created: true);
    }

    /// <summary>
    /// The registration with its template merged in (DeploymentValidation.ApplyTemplate), read now: a registration repeated
    /// after its template changed resolves to different metrics and is a conflict like any other difference.
    /// </summary>
    private async Task<RegisterDeploymentInput> WithTemplateAsync(RegisterDeploymentInput input, CancellationToken cancellationToken)
    {
        if (input.Template is not { } name)
        {
            return input;
        }

        DeploymentValidation.Identifier("template", name);
        var template = await GrainFactory.GetGrain<ITemplateGrain>(name).GetAsync(cancellationToken).ConfigureAwait(true)
            ?? throw new InputException("template", $"no template '{name}' (store it with PUT /v1/templates/{name} first)");
        return DeploymentValidation.ApplyTemplate(input, template);
    }

    public async Task<Deployment?> GetAsync(CancellationToken cancellationToken)
    {
        if (State is not { } state)
        {
            return null;
        }

        // Time alone moves a verdict (minimum duration reached, window closed, budget gate released). A read judges only
        // when that may have happened since the last judgement: CD tools poll every few seconds, and a MANN_WHITNEY
        // evaluation of a large deployment costs tens of milliseconds.
        var now = time.GetUtcNow();
        if (!TimeMayMoveVerdict(state, now))
        {
            return ToDeployment(state);
        }

        var (verdict, held) = await RejudgeAsync(state, now, cancellationToken).ConfigureAwait(true);
        if (!verdict.SameAnswer(state.Verdict) || (held is null) != (state.HeldPromotion is null))
        {
            var next = state with { Verdict = verdict, HeldPromotion = held };
            await StoreAsync(state, next, [], cancellationToken).ConfigureAwait(true);
            state = next;
        }

        return ToDeployment(state);
    }

    public Task<IReadOnlyList<MetricDefinition>?> GetMetricsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_definitions);

    public async Task<RecordResult> RecordAsync(IReadOnlyList<SamplesInput> batches, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var state = State ?? throw new InputException("deploymentId", $"unknown deployment '{Key}'");
        if (state.Status != DeploymentStatus.Verifying)
        {
            throw FinishedDeployment.Conflict(Key, state.Status, state.FinishedAt);
        }

        var now = time.GetUtcNow();
        foreach (var batch in batches)
        {
            if (batch.DeploymentId != Key)
            {
                throw new InputException("deploymentId", $"'{batch.DeploymentId}' does not match the addressed deployment '{Key}'");
            }

            SampleValidation.Validate(batch, _definitions, now);
        }

        SampleValidation.CheckCohortTotals(batches, state.Summaries.ToDictionary(s => (s.Metric, s.Cohort), s => s.Total), _batchIds.Contains);

        var summaries = state.Summaries.ToDictionary(s => (s.Metric, s.Cohort));
        var journal = new List<JournalEntry>(batches.Count);
        var newIds = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        long values = 0;
        var sequence = state.NextSequence;
        foreach (var batch in batches)
        {
            if (batch.BatchId is { } id && (_batchIds.Contains(id) || !newIds.Add(id)))
            {
                duplicates++;
                continue;
            }

            var stored = new StoredBatch(batch.Cohort, batch.Metric, batch.At ?? now, batch.Count ?? 0, batch.Total ?? 0,
                batch.Values is null ? null : [.. batch.Values]);
            journal.Add(new JournalEntry(sequence++, batch.BatchId, SampleBatchCodec.Encode(stored)));
            // Fed before the write: if the write fails, the runtime drops this activation and the judge with it.
            Judge.Add(stored);
            summaries[(batch.Metric, batch.Cohort)] = Add(summaries.GetValueOrDefault((batch.Metric, batch.Cohort)), stored);
            values += stored.Values?.Length ?? 1;
        }

        Metrics.Duplicates.Add(duplicates);
        if (journal.Count == 0)
        {
            return new RecordResult(0, duplicates, 0, state.Verdict);
        }

        var (verdict, held) = await RejudgeAsync(state, now, cancellationToken).ConfigureAwait(true);
        var next = state with
        {
            NextSequence = sequence,
            Summaries = Ordered(summaries.Values),
            Verdict = verdict,
            HeldPromotion = held,
        };
        await StoreAsync(state, next, journal, cancellationToken).ConfigureAwait(true);

        _batchIds.UnionWith(newIds);
        Metrics.Batches.Add(journal.Count);
        Metrics.Values.Add(values);
        return new RecordResult(journal.Count, duplicates, values, next.Verdict);
    }

    public async Task<Deployment> CompleteAsync(DeploymentStatus status, CancellationToken cancellationToken)
    {
        var state = State ?? throw new NotFoundException($"Deployment '{Key}' is not registered.");
        if (status == DeploymentStatus.Verifying)
        {
            throw new InputException("status", "must be PROMOTED, ROLLED_BACK or ABORTED");
        }

        if (state.Status != DeploymentStatus.Verifying)
        {
            if (state.Status != status)
            {
                throw ConflictException.OnField(
                    "status", $"Deployment '{Key}' was already completed as {JsonNamingPolicy.SnakeCaseUpper.ConvertName(state.Status.ToString())}.");
            }

            // Told again (a retry after the service grain failed to hear it): tell it again, it ignores repeats.
            await NotifyServiceAsync(state, cancellationToken).ConfigureAwait(true);
            return ToDeployment(state);
        }

        // The verdict of this moment is kept with the completion (it no longer moves): judged now, so that a completion
        // against it is recorded as an override (Deployment.Override) with the verdict the CD tool overrode.
        var now = time.GetUtcNow();
        var (verdict, _) = await RejudgeAsync(state, now, cancellationToken).ConfigureAwait(true);
        var next = state with { Status = status, FinishedAt = now, HeldPromotion = null, Verdict = verdict };
        await StoreAsync(state, next, [], cancellationToken).ConfigureAwait(true);
        await StopPullAsync().ConfigureAwait(true);
        if (next.Verdict.SameAnswer(state.Verdict))
        {
            // A completion is news even when the verdict stays as it was (it is now final): subscribers and long polls hear it.
            verdicts.Publish(Key, next.Verdict);
        }

        await NotifyServiceAsync(next, cancellationToken).ConfigureAwait(true);
        return ToDeployment(next);
    }

    /// <summary>
    /// Tells the service grain about a promotion or rollback (it watches promotions for an SLO page). Awaited: a failure
    /// reaches the caller, whose retry of the same completion notifies again.
    /// </summary>
    private Task NotifyServiceAsync(DeploymentState state, CancellationToken cancellationToken) =>
        state.Status is DeploymentStatus.Promoted or DeploymentStatus.RolledBack
            ? GrainFactory.GetGrain<IServiceGrain>(state.Registration.Service)
                .DeploymentCompletedAsync(new DeploymentCompletion(Key, state.Status, state.FinishedAt!.Value), cancellationToken)
            : Task.CompletedTask;

    public async Task<Verdict> ReportSourceAsync(string metric, string? error, CancellationToken cancellationToken)
    {
        var state = State ?? throw new NotFoundException($"Deployment '{Key}' is not registered.");
        if (state.Registration.Metrics.All(m => m.Name != metric))
        {
            throw new InputException("metric", $"deployment '{Key}' has no metric '{metric}'");
        }

        var errors = new Dictionary<string, string>(state.SourceErrors ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var changed = error is null ? errors.Remove(metric) : !errors.TryGetValue(metric, out var known) || known != error;
        if (!changed)
        {
            return state.Verdict;
        }

        if (error is not null)
        {
            errors[metric] = error.Length > 500 ? error[..500] : error;
        }

        var next = state with { SourceErrors = errors.Count == 0 ? null : errors };
        var (verdict, held) = await RejudgeAsync(next, time.GetUtcNow(), cancellationToken).ConfigureAwait(true);
        await StoreAsync(state, next with { Verdict = verdict, HeldPromotion = held }, [], cancellationToken).ConfigureAwait(true);
        return verdict;
    }

    public async Task<StoredSamplePage> ReadSamplesAsync(long after, int first, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(first);
        var batches = new List<StoredSampleBatch>(Math.Min(first, 1024));
        if (State is null)
        {
            return new StoredSamplePage(batches, null);
        }

        // One more than asked tells whether another page follows; the reader is closed when the loop is left.
        var more = false;
        await foreach (var entry in ReadJournalAsync(after, cancellationToken).ConfigureAwait(true))
        {
            if (batches.Count == first)
            {
                more = true;
                break;
            }

            var batch = SampleBatchCodec.Decode(entry.Payload.Span);
            batches.Add(batch.Values is { } values
                ? new StoredSampleBatch(entry.Sequence, entry.BatchId, batch.Metric, batch.Cohort, batch.At, null, null, values.Length,
                    values.Sum(), values.Length == 0 ? null : values.Min(), values.Length == 0 ? null : values.Max())
                : new StoredSampleBatch(entry.Sequence, entry.BatchId, batch.Metric, batch.Cohort, batch.At, batch.Count, batch.Total, 1,
                    null, null, null));
        }

        return new StoredSamplePage(batches, more ? batches[^1].Sequence : null);
    }

    /// <summary>
    /// Whether time alone may have changed a PENDING verdict since this activation last judged: the minimum or maximum
    /// duration was crossed in between, or the budget gate holds a promotion (the budget recovers with time).
    /// </summary>
    private bool TimeMayMoveVerdict(DeploymentState state, DateTimeOffset now)
    {
        if (state.Status != DeploymentStatus.Verifying || state.Verdict.Decision != Decision.Pending)
        {
            return false;
        }

        if (_judgedAt is not { } judgedAt || state.HeldPromotion is not null)
        {
            return true;
        }

        var analysis = state.Registration.Analysis;
        return Crossed(analysis?.MinDurationSeconds) || Crossed(analysis?.MaxDurationSeconds);

        bool Crossed(int? seconds) =>
            seconds is { } s && judgedAt < state.StartedAt.AddSeconds(s) && state.StartedAt.AddSeconds(s) <= now;
    }

    /// <summary>
    /// Writes <paramref name="next"/> (with <paramref name="journal"/> and its clock brought in line), then tells subscribers
    /// if the verdict changed. The webhook events of the change go into the same write (the state's outbox, with any not yet
    /// handed off), so they are committed with the change or not at all; once committed they are handed to the webhook outbox.
    /// <para>
    /// Journal entries whose state differs from <paramref name="previous"/> only in what activation rebuilds from the journal
    /// (sequence, summaries, the verdict's evidence under the same decision), with no webhook event that a subscription wants
    /// and nothing left to hand off, are appended alone (<see cref="StoredGrain{TState}.AppendAsync"/>): acknowledged after
    /// the journal commit, the row written within <c>Grains:StateWriteSeconds</c>. Subscribers and long polls are told as
    /// always; reads are answered from memory.
    /// </para>
    /// </summary>
    private async Task StoreAsync(DeploymentState previous, DeploymentState next, IReadOnlyList<JournalEntry> journal,
        CancellationToken cancellationToken)
    {
        next = await ScheduleClockAsync(next, time.GetUtcNow()).ConfigureAwait(true);
        List<OutboundEvent> events = [.. _handOff.Pending(previous.Outbox), .. OutboundEvent.Of(Key, previous, next, time.GetUtcNow())];
        try
        {
            if (journal.Count > 0 && DefersStateWrites && _handOff.HandedOff && OnlyCountsChanged(previous, next)
                && (events.Count == 0 || !await outbox.AnyWantedAsync(events, cancellationToken).ConfigureAwait(true)))
            {
                // The events would be delivered to no one: dropped, as the hand-off would drop them.
                next = next with { Outbox = null };
                await AppendAsync(next, journal, cancellationToken).ConfigureAwait(true);
            }
            else
            {
                next = next with { Outbox = events.Count == 0 ? null : events };
                await WriteStateAsync(next, journal, cancellationToken).ConfigureAwait(true);
            }
        }
        catch (GrainStateConflictException e)
        {
            // A sequence number of ours is taken: another activation of this deployment appended (a membership change). The
            // same answer as a lost ETag race: retryable (503), and this activation is dropped, so the retry replays the journal.
            throw new Orleans.Storage.InconsistentStateException(e.Message, Version.ToString(CultureInfo.InvariantCulture), "unknown", e);
        }

        if (!next.Verdict.SameAnswer(previous.Verdict))
        {
            verdicts.Publish(Key, next.Verdict);
        }

        if (next.Verdict.Decision != previous.Verdict.Decision)
        {
            Metrics.VerdictChanged(next.Registration.Service, next.Verdict.Decision);
        }

        await _handOff.HandAsync(next.Outbox, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>
    /// Whether <paramref name="next"/> differs from <paramref name="previous"/> only in what the journal rebuilds on activation:
    /// the next sequence, the summaries, and the verdict under the same decision (its evidence, reason and gate; a decision
    /// change is always written at once). Every other field must be the same instance or value (registration, status, held
    /// promotion, source errors, clock).
    /// </summary>
    private static bool OnlyCountsChanged(DeploymentState previous, DeploymentState next) =>
        next.Verdict.Decision == previous.Verdict.Decision
        && next == previous with { NextSequence = next.NextSequence, Summaries = next.Summaries, Verdict = next.Verdict, Outbox = next.Outbox };

    protected override void StateWriteFailed(Exception exception) => LogStateWriteFailed(logger, exception, Key);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Deferred state write of deployment {DeploymentId} failed; the activation is dropped and the next one replays the journal")]
    private static partial void LogStateWriteFailed(ILogger logger, Exception exception, string deploymentId);

    /// <summary>
    /// A tick of a reminder: the PromQL pull's (<see cref="PullReminderTickAsync"/>) or the verdict clock's. While a promotion
    /// is held, the clock's timer ticks in between: a clock reminder tick that comes within one timer period of the last clock
    /// judgement judges nothing.
    /// </summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == PullReminderName ? PullReminderTickAsync()
        : reminderName == VerdictClock.ReminderName
        && !(_clockJudgedAt is { } judged && _clockPeriod is { } period && time.GetUtcNow() - judged < period)
            ? ClockTickAsync(CancellationToken.None)
            : Task.CompletedTask;

    /// <summary>
    /// One clock tick: judges a PENDING verdict (storing and pushing a change), then schedules the next tick. A failure is
    /// logged and the activation dropped; the reminder ticks again one period later.
    /// </summary>
    private async Task ClockTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (State is not { } state)
            {
                // A registration that was never stored left its reminder behind.
                await UnregisterClockAsync().ConfigureAwait(true);
                return;
            }

            if (state.HeldPromotion is null && state.ClockAt is { } at && time.GetUtcNow() is var now && at > now)
            {
                // Early (the reminder's clock is a moment ahead of ours): due again at the moment itself, judged then.
                await this.RegisterOrUpdateReminder(VerdictClock.ReminderName, at - now, VerdictClock.ReminderPeriod).ConfigureAwait(true);
                return;
            }

            if (state.Status == DeploymentStatus.Verifying && state.Verdict.Decision == Decision.Pending)
            {
                _clockJudgedAt = time.GetUtcNow();
                Metrics.ClockEvaluations.Add(1);
                await GetAsync(cancellationToken).ConfigureAwait(true);
            }

            var current = State!;
            var scheduled = await ScheduleClockAsync(current, time.GetUtcNow()).ConfigureAwait(true);
            if (!ReferenceEquals(scheduled, current))
            {
                await WriteStateAsync(scheduled, cancellationToken).ConfigureAwait(true);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogClockTickFailed(logger, e, Key);
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Brings the clock in line with <paramref name="state"/> (<see cref="VerdictClock.Next"/>) and returns the state to store
    /// (the same instance when nothing changed): the reminder is registered again when its due time changes and removed
    /// when only input can change the verdict; a held promotion also runs the timer in this activation. Costs nothing
    /// (no allocation, no I/O) while the schedule stands, which is every write of ingestion.
    /// </summary>
    private async Task<DeploymentState> ScheduleClockAsync(DeploymentState state, DateTimeOffset now)
    {
        var next = _clockPeriod is null ? null : VerdictClock.Next(state, now);
        RunClockTimer(next is not null && state.HeldPromotion is not null);
        if (next is not { } due)
        {
            if (state.ClockAt is null)
            {
                return state;
            }

            await UnregisterClockAsync().ConfigureAwait(true);
            return state with { ClockAt = null };
        }

        if (state.HeldPromotion is not null)
        {
            // Held: a reminder due within one period stays (it then ticks every period); the timer ticks in between.
            if (state.ClockAt is { } at && at <= now + VerdictClock.ReminderPeriod)
            {
                return state;
            }

            due = now + VerdictClock.ReminderPeriod;
        }
        else if (state.ClockAt == due)
        {
            return state;
        }

        await this.RegisterOrUpdateReminder(VerdictClock.ReminderName, due - now, VerdictClock.ReminderPeriod).ConfigureAwait(true);
        return state with { ClockAt = due };
    }

    private async Task UnregisterClockAsync()
    {
        if (await this.GetReminder(VerdictClock.ReminderName).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }
    }

    private void RunClockTimer(bool run)
    {
        if (run && _clockTimer is null && _clockPeriod is { } period)
        {
            // Not the timer's token: a tick that releases the promotion stops (disposes) this timer, which cancels that
            // token before the tick has stored the change.
            _clockTimer = this.RegisterGrainTimer(static (grain, _) => grain.ClockTickAsync(CancellationToken.None), this,
                new GrainTimerCreationOptions(period, period));
        }
        else if (!run && _clockTimer is not null)
        {
            _clockTimer.Dispose();
            _clockTimer = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Verdict clock tick of deployment {DeploymentId} failed; the reminder ticks again")]
    private static partial void LogClockTickFailed(ILogger logger, Exception exception, string deploymentId);

    /// <summary>A PROMOTE turned PENDING (INCONCLUSIVE once the window closed) because some metric's source fails.</summary>
    private static Verdict SourceBlocked(Verdict promote, IReadOnlyDictionary<string, string> failing, DeploymentState state, DateTimeOffset now)
    {
        var (metric, error) = failing.OrderBy(p => p.Key, StringComparer.Ordinal).First();
        var reason = $"The canary passed on the samples stored, but the source of metric '{metric}' fails now ({error}); "
            + "promotion waits until it works again.";
        var metrics = promote.Metrics.Select(m => failing.ContainsKey(m.Metric) ? m with { Classification = Classification.Error } : m).ToList();
        var closed = state.Registration.Analysis?.MaxDurationSeconds is { } max && now - state.StartedAt >= TimeSpan.FromSeconds(max);
        return closed
            ? promote with { Decision = Decision.Inconclusive, Reason = "The analysis window closed while a metric's source failed. " + reason, DecidedAt = now, Metrics = metrics }
            : promote with { Decision = Decision.Pending, Reason = reason, DecidedAt = null, Metrics = metrics };
    }

    /// <summary>
    /// While verifying, the judge's verdict at <paramref name="now"/>, a PROMOTE passed through the service's budget gate;
    /// after completion the verdict stays as it was. Returns the verdict to show and the PROMOTE held back, if any.
    /// </summary>
    private async Task<(Verdict Verdict, Verdict? Held)> RejudgeAsync(DeploymentState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.Status != DeploymentStatus.Verifying)
        {
            return (state.Verdict, null);
        }

        _judgedAt = now;

        // A decided verdict is final (DeploymentJudge.Judge), so a PROMOTE held back stays the judge's answer.
        var started = Stopwatch.GetTimestamp();
        var judged = state.HeldPromotion ?? Judge.Judge(state.Verdict, state.StartedAt, now);
        Metrics.JudgeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        if (judged.Decision == Decision.Promote && state.Verdict.Decision == Decision.Pending && state.SourceErrors is { Count: > 0 } failing)
        {
            // Fail safe: a metric whose source fails now cannot be judged now, so no new promotion rests on its older samples.
            return (SourceBlocked(judged, failing, state, now), null);
        }

        if (judged.Decision != Decision.Promote || judged.Gate is not null)
        {
            // Not a promotion, or one that passed the gate already.
            return (judged, null);
        }

        var gate = await GrainFactory.GetGrain<IServiceGrain>(state.Registration.Service).CheckReleaseAsync(Key, cancellationToken)
            .ConfigureAwait(true);
        if (gate.Allowed)
        {
            // Released after being held: the decision is taken now.
            return (judged with { Gate = gate, DecidedAt = state.HeldPromotion is null ? judged.DecidedAt : now }, null);
        }

        // Fail safe (ARCHITECTURE.md): a blocked promotion is PENDING while the analysis window is open, INCONCLUSIVE after.
        var max = state.Registration.Analysis?.MaxDurationSeconds;
        return max is { } seconds && now - state.StartedAt >= TimeSpan.FromSeconds(seconds)
            ? (judged with
            {
                Decision = Decision.Inconclusive,
                Reason = $"The canary passed, but the analysis window closed while the budget gate blocked promotion. {gate.Reason}",
                DecidedAt = now,
                Gate = gate,
            }, null)
            : (judged with
            {
                Decision = Decision.Pending,
                Reason = $"The canary passed; promotion waits for the budget gate. {gate.Reason}",
                DecidedAt = null,
                Gate = gate,
            }, judged);
    }

    private DeploymentJudge Judge => _judge ?? throw new InvalidOperationException("The deployment is not registered.");

    /// <summary>The API view of a stored state (also used for listings, without activating grains).</summary>
    public static Deployment ToDeployment(DeploymentState state)
    {
        var r = state.Registration;
        var kinds = r.Metrics.ToDictionary(m => m.Name, m => m.Kind);
        return new Deployment(
            r.Id, r.Service, r.Version, r.Environment, r.CommitSha, r.CommitTime, state.StartedAt, state.FinishedAt, state.Status,
            DeploymentValidation.Definitions(r), r.Analysis ?? new AnalysisInput(),
            [.. state.Summaries.Select(s => ToSummary(s, kinds[s.Metric]))], state.Verdict, r.Team, r.Unplanned,
            r.Artifact, r.BuildId, r.PipelineRunId, r.ChangeUrl, r.ApprovedBy);
    }

    private static CohortSummary ToSummary(SummaryState s, MetricKind kind) =>
        kind == MetricKind.Ratio
            ? new CohortSummary(s.Metric, s.Cohort, s.Observations, s.Count, s.Total, null)
            : new CohortSummary(s.Metric, s.Cohort, s.Observations, null, null, s.Observations == 0 ? null : s.Sum / s.Observations);

    private static IReadOnlyList<SummaryState> Ordered(IEnumerable<SummaryState> summaries) =>
        [.. summaries.OrderBy(s => s.Metric, StringComparer.Ordinal).ThenBy(s => s.Cohort)];

    private static SummaryState Add(SummaryState? summary, StoredBatch batch)
    {
        var s = summary ?? new SummaryState(batch.Metric, batch.Cohort, 0, 0, 0, 0);
        return batch.Values is null
            ? s with { Observations = s.Observations + 1, Count = s.Count + batch.Count, Total = s.Total + batch.Total }
            : s with { Observations = s.Observations + batch.Values.Length, Sum = s.Sum + batch.Values.Sum() };
    }

    /// <summary>Names the first top-level field in which two normalized registrations differ, or null when they are the same.</summary>
    private static string? FirstDifference(RegisterDeploymentInput stored, RegisterDeploymentInput incoming)
    {
        var a = JsonSerializer.SerializeToElement(stored, ContractJson.Options);
        var b = JsonSerializer.SerializeToElement(incoming, ContractJson.Options);
        foreach (var property in a.EnumerateObject())
        {
            if (!b.TryGetProperty(property.Name, out var other) || !JsonElement.DeepEquals(property.Value, other))
            {
                return property.Name;
            }
        }

        return null;
    }
}
