using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>
/// This silo's memory of token look-ups (<see cref="IAccessTokenGrain.AuthenticateAsync"/>), so that a busy silo does not
/// call the one token grain for every request. Keyed by the SHA-256 of the secret (never the secret); the question "does
/// any token exist" (a null hash, asked in open mode) is one more entry. An answer is reused for
/// <see cref="AccessOptions.CacheSeconds"/>:
/// <list type="bullet">
/// <item>a token created or revoked through this silo clears the whole cache at once (<see cref="Invalidate"/>);</item>
/// <item>another silo learns of a revocation, or of the first token (auto mode switching authentication on), when its
/// entry expires: within <see cref="AccessOptions.CacheSeconds"/>;</item>
/// <item>unknown hashes are remembered too, but at most <see cref="MaxUnknown"/> of them, so random bad tokens cannot
/// grow memory (past the bound they go to the grain as without a cache); known hashes are bounded by the token count;</item>
/// <item>a failed look-up (the grain's silo died) is not remembered: the caller answers 503 as without a cache.</item>
/// </list>
/// A token's expiry is checked at every use, cached or not.
/// </summary>
public sealed class TokenCache(IOptions<AccessOptions> options, TimeProvider time)
{
    /// <summary>Most unknown hashes remembered at once.</summary>
    public const int MaxUnknown = 1024;

    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.CacheSeconds);
    private readonly ConcurrentDictionary<string, Entry> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _unknown = new(StringComparer.Ordinal);
    private Entry? _anyToken;
    private long _generation;

    /// <summary>Whether answers are reused at all (<see cref="AccessOptions.CacheSeconds"/> &gt; 0).</summary>
    public bool Enabled => _ttl > TimeSpan.Zero;

    /// <summary>Unknown hashes remembered now (at most <see cref="MaxUnknown"/>).</summary>
    public int UnknownCount => _unknown.Count;

    /// <summary>
    /// The look-up of <paramref name="secretHash"/> (null: only whether any token exists), from memory while fresh, else
    /// from <paramref name="lookUp"/> (the token grain), remembered unless a change through this silo happened meanwhile.
    /// </summary>
    public async ValueTask<TokenCheck> CheckAsync(
        string? secretHash, Func<string?, DateTimeOffset, CancellationToken, Task<TokenCheck>> lookUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookUp);
        var now = time.GetUtcNow();
        if (!Enabled)
        {
            return await lookUp(secretHash, now, cancellationToken).ConfigureAwait(false);
        }

        var cached = secretHash is null ? Volatile.Read(ref _anyToken)
            : _known.TryGetValue(secretHash, out var known) ? known
            : _unknown.GetValueOrDefault(secretHash);
        if (cached is not null && now < cached.ExpiresAt)
        {
            return Unexpired(cached.Check, now);
        }

        var generation = Interlocked.Read(ref _generation);
        var check = await lookUp(secretHash, now, cancellationToken).ConfigureAwait(false);
        Remember(secretHash, new Entry(check, now + _ttl), generation);
        return check;
    }

    /// <summary>Forgets every answer: a token was created or revoked through this silo.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _known.Clear();
        _unknown.Clear();
        Volatile.Write(ref _anyToken, null);
    }

    private void Remember(string? secretHash, Entry entry, long generation)
    {
        if (secretHash is null)
        {
            Volatile.Write(ref _anyToken, entry);
        }
        else if (entry.Check.Token is not null)
        {
            _known[secretHash] = entry;
        }
        else if (_unknown.Count < MaxUnknown || SweepUnknown(entry.ExpiresAt - _ttl) < MaxUnknown)
        {
            _unknown[secretHash] = entry;
        }

        // A change through this silo while the look-up ran may have made its answer stale: drop what was just stored.
        if (Interlocked.Read(ref _generation) != generation)
        {
            Invalidate();
        }
    }

    /// <summary>Removes expired unknown entries; the count left.</summary>
    private int SweepUnknown(DateTimeOffset now)
    {
        foreach (var (hash, entry) in _unknown)
        {
            if (now >= entry.ExpiresAt)
            {
                _unknown.TryRemove(hash, out _);
            }
        }

        return _unknown.Count;
    }

    /// <summary>A remembered answer as of <paramref name="now"/>: a token that expired since is refused as the grain would.</summary>
    private static TokenCheck Unexpired(TokenCheck check, DateTimeOffset now) =>
        check.Token is { ExpiresAt: { } expires } && expires <= now ? new TokenCheck(null, true) : check;

    private sealed record Entry(TokenCheck Check, DateTimeOffset ExpiresAt);
}
