namespace Verification.Api.Access;

/// <summary>How requests are authenticated (<c>Auth:Mode</c>).</summary>
public enum AuthMode
{
    /// <summary>Open while every listen address is loopback and no token exists; tokens required otherwise.</summary>
    Auto,

    /// <summary>Tokens always required.</summary>
    Tokens,

    /// <summary>Never authenticated: every request may do everything (set explicitly, e.g. behind an authenticating proxy).</summary>
    None,
}

/// <summary>Configuration section <c>Auth</c> (docs/API.md, "Contract v1.1 — access").</summary>
public sealed class AccessOptions
{
    public const string Section = "Auth";

    /// <summary>Shortest accepted <see cref="BootstrapToken"/>: 32 characters, so that it cannot be guessed.</summary>
    public const int MinBootstrapTokenLength = 32;

    public AuthMode Mode { get; set; } = AuthMode.Auto;

    /// <summary>An admin token accepted from configuration, to create the first tokens; null: none.</summary>
    public string? BootstrapToken { get; set; }

    /// <summary>Whether <c>/metrics</c> needs a token with the read scope (default: open, for Prometheus).</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary>Default of <see cref="CacheSeconds"/>.</summary>
    public const double DefaultCacheSeconds = 5;

    /// <summary>Longest accepted <see cref="CacheSeconds"/>: a revocation must reach every silo within minutes at worst.</summary>
    public const double MaxCacheSeconds = 300;

    /// <summary>
    /// How long a silo reuses a token look-up (<see cref="TokenCache"/>): the bound on how late another silo sees a revocation
    /// or the first token; 0 turns the cache off.
    /// </summary>
    public double CacheSeconds { get; set; } = DefaultCacheSeconds;

    /// <summary>The reason the options are invalid, or null.</summary>
    public string? Invalid() =>
        BootstrapToken is { } token && (token.Length < MinBootstrapTokenLength || token.Any(char.IsWhiteSpace))
            ? $"{Section}:BootstrapToken must be at least {MinBootstrapTokenLength} characters without spaces (e.g. `openssl rand -hex 32`)."
            : CacheSeconds is < 0 or > MaxCacheSeconds || double.IsNaN(CacheSeconds)
                ? $"{Section}:CacheSeconds must be between 0 (no cache) and {MaxCacheSeconds}, got {CacheSeconds}."
                : null;
}
