using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>
/// Records who changed what (docs/API.md: register, complete, template, policy, SLO, incident, webhook and token
/// changes) with the caller's token name and the time; read with <c>GET /v1/audit</c> and GraphQL <c>auditLog</c>.
/// Other features call <see cref="RecordAsync"/> after a change succeeded, e.g.
/// <c>audit.RecordAsync("webhook.create", id, service: null, detail: url, cancellationToken)</c>.
/// </summary>
public sealed class AuditTrail(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Most entries one read returns.</summary>
    public const int MaxPage = 1000;

    /// <summary>Entries one read returns by default.</summary>
    public const int DefaultPage = 100;

    /// <summary>
    /// Appends an entry for the current caller (<see cref="CallerContext"/>). The change it records is made already, so
    /// the entry is written even when the client has gone (<paramref name="cancellationToken"/> is not passed on).
    /// </summary>
    public Task<AuditEntry> RecordAsync(string action, string target, string? service, string? detail, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(target);
        _ = cancellationToken;
        var caller = CallerContext.Current;
        return Log.AppendAsync(new AuditEntry(0, time.GetUtcNow(), caller.Name, caller.TokenId, action, target, service, detail), CancellationToken.None);
    }

    /// <summary>At most <paramref name="first"/> entries, newest first, before sequence <paramref name="before"/>; admin on every service only.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAsync(int first, long? before, CancellationToken cancellationToken)
    {
        var caller = CallerContext.Current;
        caller.Demand(Scopes.Admin);
        caller.DemandEveryService();
        if (first is < 1 or > MaxPage)
        {
            throw new InputException("first", $"must be between 1 and {MaxPage}, got {first}");
        }

        if (before is < 1)
        {
            throw new InputException("before", $"must be a sequence number of at least 1, got {before}");
        }

        return Log.ListAsync(first, before, cancellationToken);
    }

    private IAuditLogGrain Log => grains.GetGrain<IAuditLogGrain>(IAccessTokenGrain.Key);
}
