using System.Text.Json;
using Verification.Api.Contracts;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// The audit trail, in one grain (key <see cref="IAccessTokenGrain.Key"/>): each entry is a journal entry of the grain
/// (append-only, durable before the answer), the state only counts them, so a write costs the same however long the
/// trail is and a read touches only the page asked for.
/// </summary>
internal sealed class AuditLogGrain(IPersistentStateFactory states, IGrainStorage journal, SiloMetrics metrics)
    : StoredGrain<AuditLogState>(states, journal, metrics, TypeName), IAuditLogGrain
{
    public const string TypeName = "audit-log";

    private long Next => State?.NextSequence ?? 1;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        // Entries appended but not yet counted by the state (a crash between the two commits): continue after them.
        var last = Next - 1;
        await foreach (var entry in ReadJournalAsync(last, cancellationToken).ConfigureAwait(true))
        {
            last = entry.Sequence;
        }

        if (last >= Next)
        {
            Recover(new AuditLogState(last + 1));
        }
    }

    public async Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var sequence = Next;
        var stored = entry with { Sequence = sequence };
        var payload = JsonSerializer.SerializeToUtf8Bytes(stored, ContractJson.Options);
        await WriteStateAsync(new AuditLogState(sequence + 1), [new JournalEntry(sequence, null, payload)], cancellationToken).ConfigureAwait(true);
        return stored;
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int first, long? before, CancellationToken cancellationToken)
    {
        var end = Math.Min(before ?? Next, Next);
        var entries = new List<AuditEntry>(Math.Min(first, 1000));
        await foreach (var entry in ReadJournalAsync(Math.Max(0, end - first - 1), cancellationToken).ConfigureAwait(true))
        {
            if (entry.Sequence >= end)
            {
                break;
            }

            entries.Add(JsonSerializer.Deserialize<AuditEntry>(entry.Payload.Span, ContractJson.Options)!);
        }

        entries.Reverse();
        return entries;
    }
}

/// <summary>The sequence number the next audit entry gets (dense, from 1).</summary>
internal sealed record AuditLogState(long NextSequence);
