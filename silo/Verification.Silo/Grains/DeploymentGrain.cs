using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// One grain per deployment (keyed by deploy ID): owns the registration, appends sample batches durably to its
/// journal (state and journal in one transaction, acknowledged only after commit), keeps summaries, and re-judges.
/// A PROMOTE of the judge passes the service grain's budget gate first; completion is reported to the service grain.
/// Both are awaited grain-to-grain calls in this grain's turn; the service grain never calls back, so no cycle.
/// </summary>
internal sealed class DeploymentGrain(
    TimeProvider time,
    IVerdictFeed verdicts,
    SiloMetrics metrics,
    IGrainStorage journal,
    IPersistentStateFactory states)
    : StoredGrain<DeploymentState>(states, journal, metrics, TypeName), IDeploymentGrain
{
    public const string TypeName = "deployment";

    /// <summary>Batch ids already stored, rebuilt from the journal on activation.</summary>
    private readonly HashSet<string> _batchIds = new(StringComparer.Ordinal);

    private IReadOnlyList<MetricDefinition>? _definitions;
    private DeploymentJudge? _judge;

    /// <summary>When this activation last judged; null until its first judgement.</summary>
    private DateTimeOffset? _judgedAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        _definitions = State is null ? null : DeploymentValidation.Definitions(State.Registration);
        if (State is null)
        {
            return;
        }

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
    }

    public async Task<RegisterResult> RegisterAsync(RegisterDeploymentInput input, CancellationToken cancellationToken)
    {
        var normalized = DeploymentValidation.Normalize(input);
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
        await WriteStateAsync(state, cancellationToken).ConfigureAwait(true);
        _definitions = DeploymentValidation.Definitions(normalized);
        _judge = judge;
        verdicts.Publish(Key, state.Verdict);
        return new RegisterResult(ToDeployment(state), Created: true);
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

    /// <summary>Writes <paramref name="next"/> (with <paramref name="journal"/>), then tells subscribers if the verdict changed.</summary>
    private async Task StoreAsync(DeploymentState previous, DeploymentState next, IReadOnlyList<JournalEntry> journal,
        CancellationToken cancellationToken)
    {
        await WriteStateAsync(next, journal, cancellationToken).ConfigureAwait(true);
        if (!next.Verdict.SameAnswer(previous.Verdict))
        {
            verdicts.Publish(Key, next.Verdict);
        }
    }

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
        var judged = state.HeldPromotion ?? Judge.Judge(state.Verdict, state.StartedAt, now);
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
