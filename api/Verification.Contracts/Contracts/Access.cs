namespace Verification.Api.Contracts;

/// <summary>
/// The API tokens (docs/API.md, "Contract v1.1 — access"): one grain (key <see cref="Key"/>) holds every token's
/// name, scopes, services and the SHA-256 of its secret; the secret itself is never stored.
/// </summary>
[Alias("Verification.IAccessTokenGrain")]
public interface IAccessTokenGrain : IGrainWithStringKey
{
    /// <summary>The one key of the grain.</summary>
    const string Key = "all";

    /// <summary>Stores a new token whose secret hashes to <paramref name="secretHash"/>; the caller made both.</summary>
    [Alias("CreateAsync")]
    Task<AccessToken> CreateAsync(AccessToken token, string secretHash, CancellationToken cancellationToken);

    /// <summary>Every token (no secrets), ordered by creation.</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<AccessToken>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes a token; the removed one, or null when <paramref name="id"/> is unknown.</summary>
    [Alias("RevokeAsync")]
    Task<AccessToken?> RevokeAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The token whose secret hashes to <paramref name="secretHash"/> (null: none, or expired at <paramref name="now"/>),
    /// and whether any token exists; notes <paramref name="now"/> as its last use.
    /// </summary>
    [Alias("AuthenticateAsync")]
    Task<TokenCheck> AuthenticateAsync(string? secretHash, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>An API token as listed: never its secret.</summary>
/// <param name="Services">Service names or <c>prefix-*</c> patterns it is limited to; null: every service.</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.AccessToken")]
public sealed record AccessToken(
    string Id,
    string Name,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string>? Services,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);

/// <summary>The answer of <see cref="IAccessTokenGrain.AuthenticateAsync"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Verification.TokenCheck")]
public sealed record TokenCheck(AccessToken? Token, bool AnyToken);

/// <summary>Body of <c>POST /v1/tokens</c>.</summary>
public sealed record CreateTokenInput(
    string Name, IReadOnlyList<string> Scopes, IReadOnlyList<string>? Services = null, DateTimeOffset? ExpiresAt = null);

/// <summary>Answer of <c>POST /v1/tokens</c>: the only time <see cref="Token"/> (the secret) is shown.</summary>
public sealed record CreatedToken(
    string Id, string Name, string Token, IReadOnlyList<string> Scopes, IReadOnlyList<string>? Services, DateTimeOffset? ExpiresAt);

/// <summary>
/// The audit trail: who changed a decision (register, complete, policy, SLO, incident, template, webhook, token) and
/// when. One grain (key <see cref="IAccessTokenGrain.Key"/>); entries are its journal, append-only.
/// </summary>
[Alias("Verification.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>Appends <paramref name="entry"/> durably and returns it with its sequence number.</summary>
    [Alias("AppendAsync")]
    Task<AuditEntry> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="first"/> entries, newest first, older than sequence <paramref name="before"/> (null: newest).</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<AuditEntry>> ListAsync(int first, long? before, CancellationToken cancellationToken);
}

/// <summary>One audited change.</summary>
/// <param name="Sequence">Its position in the trail (from 1); 0 before it is appended.</param>
/// <param name="Actor">The token's name (<c>anonymous</c> while the service runs open, <c>bootstrap</c> for Auth:BootstrapToken).</param>
/// <param name="Action">What was done, e.g. <c>deployment.register</c>, <c>token.create</c>.</param>
/// <param name="Target">What it was done to: a deployment id, service name, incident id, token id.</param>
/// <param name="Service">The service it concerns, when there is one.</param>
/// <param name="Detail">A short human-readable detail (e.g. the status completed as).</param>
[GenerateSerializer]
[Immutable]
[Alias("Verification.AuditEntry")]
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string? TokenId,
    string Action,
    string Target,
    string? Service,
    string? Detail);

/// <summary>The caller's token lacks the scope, or the service is outside its list. HTTP 403 / FORBIDDEN.</summary>
[GenerateSerializer]
[Alias("Verification.ForbiddenException")]
public sealed class ForbiddenException : Exception
{
    public ForbiddenException()
    {
    }

    public ForbiddenException(string message)
        : base(message)
    {
    }

    public ForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
