using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// One grain per service name: the journal of its CI pipeline runs. Every accepted run is one journal entry whose unique
/// batch id is the run's, written with the state (the next sequence) before the answer; a known batch id is a duplicate.
/// </summary>
/// <remarks>
/// Activation reads the whole journal once to learn the batch ids (runs are few next to samples: a busy service reports
/// thousands a month, each id a few dozen bytes). KPIs read the journal from storage (<see cref="DeliveryDirectory"/>),
/// never through the grain.
/// </remarks>
internal sealed class PipelineGrain(IGrainStorage journal, IPersistentStateFactory states, SiloMetrics metrics)
    : StoredGrain<PipelineState>(states, journal, metrics, TypeName), IPipelineGrain
{
    public const string TypeName = "pipeline";

    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        var last = 0L;
        await foreach (var entry in ReadJournalAsync(0, cancellationToken).ConfigureAwait(true))
        {
            last = entry.Sequence;
            if (entry.BatchId is { } id)
            {
                _ids.Add(id);
            }
        }

        var state = State ?? new PipelineState(1);
        if (last >= state.NextSequence)
        {
            // Appended, but the state counting them was not written (a crash between the two commits).
            Recover(state with { NextSequence = last + 1 });
        }
    }

    public async Task<PipelineRunsResult> RecordAsync(IReadOnlyList<PipelineRun> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var state = State ?? new PipelineState(1);
        var sequence = state.NextSequence;
        var entries = new List<JournalEntry>();
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var run in runs)
        {
            if (run.Service != Key)
            {
                throw new InputException("service", $"'{run.Service}' does not match the addressed service '{Key}'");
            }

            if (_ids.Contains(run.BatchId) || !fresh.Add(run.BatchId))
            {
                duplicates++;
                continue;
            }

            entries.Add(new JournalEntry(sequence++, run.BatchId, JsonSerializer.SerializeToUtf8Bytes(run, ContractJson.Options)));
        }

        if (entries.Count > 0)
        {
            await WriteStateAsync(state with { NextSequence = sequence }, entries, cancellationToken).ConfigureAwait(true);
            _ids.UnionWith(fresh);
        }

        return new PipelineRunsResult(entries.Count, duplicates);
    }
}

/// <summary>The durable state of a pipeline grain: the sequence number the next journal entry gets (dense, from 1).</summary>
internal sealed record PipelineState(long NextSequence);
