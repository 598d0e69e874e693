using System.Net;
using Microsoft.Extensions.Options;
using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>
/// Turns an <c>Authorization</c> value into a <see cref="Caller"/>: the configured bootstrap token, a stored token (by
/// the SHA-256 of its secret), or — without a header — <see cref="Caller.Open"/> while authentication is off
/// (<see cref="IsOpenAsync"/>). Used by the HTTP middleware and by the WebSocket <c>connection_init</c>. Look-ups go
/// through this silo's <see cref="TokenCache"/>; a configuration that can never be open asks nothing about tokens to decide so.
/// </summary>
public sealed class Authenticator(IGrainFactory grains, IOptions<AccessOptions> options, AccessBinding binding, TokenCache cache)
{
    private const string BearerPrefix = "Bearer ";

    private readonly AccessOptions _options = options.Value;

    /// <summary>The options in force.</summary>
    public AccessOptions Options => _options;

    /// <summary>
    /// The caller presenting <paramref name="authorization"/> (an <c>Authorization</c> header value; null or empty when
    /// none was sent), or the reason it is refused (answered 401).
    /// </summary>
    public async Task<(Caller? Caller, string? Refusal)> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (_options.Mode == AuthMode.None)
        {
            return (Caller.Open, null);
        }

        if (string.IsNullOrEmpty(authorization))
        {
            return await IsOpenAsync(cancellationToken).ConfigureAwait(false)
                ? (Caller.Open, null)
                : (null, "Send 'Authorization: Bearer <token>' (create tokens with POST /v1/tokens).");
        }

        if (!authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || authorization.Length == BearerPrefix.Length)
        {
            return (null, "The Authorization header must be 'Bearer <token>'.");
        }

        var secret = authorization[BearerPrefix.Length..].Trim();
        if (_options.BootstrapToken is { } bootstrap && TokenSecrets.SameSecret(secret, bootstrap))
        {
            return (Caller.Bootstrap, null);
        }

        var check = await cache.CheckAsync(TokenSecrets.Hash(secret), LookUp, cancellationToken).ConfigureAwait(false);
        if (check.Token is { } token)
        {
            return (Caller.Of(token), null);
        }

        // While authentication is off no token can be right or wrong: a client configured with one is served as any other.
        return OpenWithout(check.AnyToken) ? (Caller.Open, null) : (null, "The token is unknown, revoked or expired.");
    }

    /// <summary>
    /// True while requests need no token: <c>Auth:Mode=none</c>, or <c>auto</c> with every listen address on loopback,
    /// no bootstrap token and no stored token.
    /// </summary>
    public async Task<bool> IsOpenAsync(CancellationToken cancellationToken)
    {
        if (_options.Mode == AuthMode.None)
        {
            return true;
        }

        if (!OpenWithout(anyToken: false))
        {
            return false;
        }

        var check = await cache.CheckAsync(null, LookUp, cancellationToken).ConfigureAwait(false);
        return !check.AnyToken;
    }

    /// <summary>Whether requests are open given whether a stored token exists.</summary>
    private bool OpenWithout(bool anyToken) =>
        _options.Mode == AuthMode.None
        || (_options.Mode == AuthMode.Auto && binding.LoopbackOnly && _options.BootstrapToken is null && !anyToken);

    private Task<TokenCheck> LookUp(string? secretHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        grains.GetGrain<IAccessTokenGrain>(IAccessTokenGrain.Key).AuthenticateAsync(secretHash, now, cancellationToken);
}

/// <summary>Where the server listens, as far as authentication cares: only on loopback, or anywhere else too.</summary>
public sealed record AccessBinding(bool LoopbackOnly, IReadOnlyList<string> Urls)
{
    /// <summary>
    /// From the listen URLs (<c>--urls</c>, ';'-separated): loopback only when every host is <c>localhost</c> or a
    /// loopback IP; a wildcard (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>) or any other host name is not.
    /// </summary>
    public static AccessBinding FromUrls(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var list = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new(list.Length > 0 && list.All(IsLoopback), list);
    }

    private static bool IsLoopback(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd < 0 ? url : url[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? authority : authority[1..close];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
