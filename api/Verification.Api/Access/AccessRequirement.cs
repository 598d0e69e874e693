using Microsoft.AspNetCore.Builder;

namespace Verification.Api.Access;

/// <summary>
/// What an endpoint needs, declared where it is mapped (<see cref="AccessEndpointExtensions"/>) and enforced by
/// <see cref="AccessMiddleware"/>. A route without a declaration needs the admin scope (closed by default), and the
/// route-table test fails for it.
/// </summary>
public sealed record AccessRequirement
{
    private AccessRequirement(string? scope, bool open, bool perField)
    {
        Scope = scope;
        IsOpen = open;
        IsPerField = perField;
    }

    /// <summary>The scope needed; null for <see cref="IsOpen"/> and <see cref="IsPerField"/> endpoints.</summary>
    public string? Scope { get; }

    /// <summary>Served without authentication (health checks, the UI's static pages).</summary>
    public bool IsOpen { get; }

    /// <summary>Needs an authenticated caller; each GraphQL field checks its own scope (and a WebSocket authenticates at connection_init).</summary>
    public bool IsPerField { get; }

    public static AccessRequirement Open { get; } = new(null, true, false);

    public static AccessRequirement PerField { get; } = new(null, false, true);

    /// <summary>What an undeclared route needs.</summary>
    public static AccessRequirement Undeclared { get; } = new(Scopes.Admin, false, false);

    /// <summary>Needs <paramref name="scope"/> (one of <see cref="Scopes.All"/>).</summary>
    public static AccessRequirement Needs(string scope) =>
        Scopes.All.Contains(scope, StringComparer.Ordinal) ? new(scope, false, false) : throw new ArgumentOutOfRangeException(nameof(scope), scope, "Not a scope.");

    public override string ToString() => IsOpen ? "open" : IsPerField ? "per GraphQL field" : $"scope {Scope}";
}

/// <summary>The one-line declarations of what a route needs: <c>routes.MapGet(…).RequireScope(Scopes.Read)</c>.</summary>
public static class AccessEndpointExtensions
{
    /// <summary>The route needs a token with <paramref name="scope"/> (admin holds every scope).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessRequirement.Needs(scope));

    /// <summary>The route is served without a token (health checks, static UI assets).</summary>
    public static TBuilder AllowOpenAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessRequirement.Open);

    /// <summary><c>/metrics</c>: open, or the read scope when <c>Auth:ProtectMetrics=true</c>.</summary>
    public static TBuilder RequireMetricsAccess<TBuilder>(this TBuilder builder, Microsoft.Extensions.Configuration.IConfiguration configuration)
        where TBuilder : IEndpointConventionBuilder =>
        Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue<bool>(configuration, $"{AccessOptions.Section}:{nameof(AccessOptions.ProtectMetrics)}")
            ? builder.RequireScope(Scopes.Read)
            : builder.AllowOpenAccess();

    /// <summary>The route (GraphQL) needs a caller; what it may do is decided per field.</summary>
    public static TBuilder RequireScopePerField<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AccessRequirement.PerField);
}
