using Verification.Api.Contracts;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

namespace Verification.Silo.Grains;

/// <summary>
/// Every API token, in one grain (key <see cref="IAccessTokenGrain.Key"/>) stored like the others (Orleans ADO.NET
/// state, SQLite or PostgreSQL): name, scopes, services, expiry and the SHA-256 of the secret, never the secret.
/// A token's last use is noted in memory at every request and written at most once per <see cref="LastUseResolution"/>,
/// so that authentication does not cost a write per request.
/// </summary>
internal sealed class AccessTokenGrain(IPersistentStateFactory states, IGrainStorage journal, SiloMetrics metrics)
    : StoredGrain<AccessTokenState>(states, journal, metrics, TypeName), IAccessTokenGrain
{
    public const string TypeName = "access-tokens";

    /// <summary>Most tokens kept.</summary>
    public const int MaxTokens = 1000;

    /// <summary>How stale a stored <see cref="AccessToken.LastUsedAt"/> may get.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, int> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastUse = new(StringComparer.Ordinal);

    private AccessTokenState Current => State ?? AccessTokenState.Empty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken).ConfigureAwait(true);
        Index();
    }

    public async Task<AccessToken> CreateAsync(AccessToken token, string secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var tokens = Current.Tokens;
        if (tokens.Count >= MaxTokens)
        {
            throw new InputException("name", $"at most {MaxTokens} tokens exist at once; revoke unused ones first");
        }

        if (tokens.Any(t => string.Equals(t.Token.Name, token.Name, StringComparison.Ordinal)))
        {
            throw ConflictException.OnField("name", $"a token named '{token.Name}' exists already; names identify tokens in the audit trail");
        }

        await WriteStateAsync(new AccessTokenState([.. tokens, new StoredToken(token, secretHash)]), cancellationToken).ConfigureAwait(true);
        Index();
        return token;
    }

    public Task<IReadOnlyList<AccessToken>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AccessToken>>([.. Current.Tokens.Select(t => WithLastUse(t.Token))]);

    public async Task<AccessToken?> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var tokens = Current.Tokens;
        var found = tokens.FirstOrDefault(t => string.Equals(t.Token.Id, id, StringComparison.Ordinal));
        if (found is null)
        {
            return null;
        }

        await WriteStateAsync(new AccessTokenState([.. tokens.Where(t => t != found)]), cancellationToken).ConfigureAwait(true);
        _lastUse.Remove(id);
        Index();
        return found.Token;
    }

    public async Task<TokenCheck> AuthenticateAsync(string? secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tokens = Current.Tokens;
        if (secretHash is null || !_byHash.TryGetValue(secretHash, out var index))
        {
            return new TokenCheck(null, tokens.Count > 0);
        }

        var token = tokens[index].Token;
        if (token.ExpiresAt is { } expires && expires <= now)
        {
            return new TokenCheck(null, true);
        }

        _lastUse[token.Id] = now;
        if (token.LastUsedAt is not { } stored || now - stored >= LastUseResolution)
        {
            var updated = tokens.ToArray();
            updated[index] = tokens[index] with { Token = token with { LastUsedAt = now } };
            await WriteStateAsync(new AccessTokenState(updated), cancellationToken).ConfigureAwait(true);
        }

        return new TokenCheck(WithLastUse(Current.Tokens[index].Token), true);
    }

    private AccessToken WithLastUse(AccessToken token) =>
        _lastUse.TryGetValue(token.Id, out var used) && (token.LastUsedAt is null || used > token.LastUsedAt) ? token with { LastUsedAt = used } : token;

    private void Index()
    {
        _byHash.Clear();
        var tokens = Current.Tokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            _byHash[tokens[i].SecretHash] = i;
        }
    }
}

/// <summary>The stored tokens.</summary>
internal sealed record AccessTokenState(IReadOnlyList<StoredToken> Tokens)
{
    public static AccessTokenState Empty { get; } = new([]);
}

/// <summary>A token and the SHA-256 (hex) of its secret.</summary>
internal sealed record StoredToken(AccessToken Token, string SecretHash);
