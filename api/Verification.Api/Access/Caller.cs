using Verification.Api.Contracts;

namespace Verification.Api.Access;

/// <summary>
/// Who makes a request: a token's name, scopes and service list. <see cref="Open"/> stands for every request while the
/// service runs without authentication (loopback with no token, or <c>Auth:Mode=none</c>).
/// </summary>
/// <param name="Services">Service names or <c>prefix-*</c> patterns the caller may see and touch; null: every service.</param>
public sealed record Caller(string Name, string? TokenId, IReadOnlyList<string> Scopes, IReadOnlyList<string>? Services)
{
    /// <summary>The audit name of requests served while authentication is off.</summary>
    public const string AnonymousName = "anonymous";

    /// <summary>The audit name of the <c>Auth:BootstrapToken</c> from configuration.</summary>
    public const string BootstrapName = "bootstrap";

    /// <summary>Every scope on every service, unnamed: authentication is off.</summary>
    public static Caller Open { get; } = new(AnonymousName, null, Access.Scopes.All, null);

    /// <summary>The configured bootstrap token: admin on every service.</summary>
    public static Caller Bootstrap { get; } = new(BootstrapName, null, [Access.Scopes.Admin], null);

    /// <summary>The caller presenting <paramref name="token"/>.</summary>
    public static Caller Of(AccessToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.Name, token.Id, token.Scopes, token.Services);
    }

    /// <summary>True when the caller holds <paramref name="scope"/> (admin holds every scope).</summary>
    public bool Has(string scope) =>
        Scopes.Contains(scope, StringComparer.Ordinal) || Scopes.Contains(Access.Scopes.Admin, StringComparer.Ordinal);

    /// <summary>True when <paramref name="service"/> is in the caller's list.</summary>
    public bool MayAccess(string service) => ServicePatterns.Matches(Services, service);

    /// <summary>Throws <see cref="ForbiddenException"/> unless the caller holds <paramref name="scope"/>.</summary>
    public void Demand(string scope)
    {
        if (!Has(scope))
        {
            throw new ForbiddenException($"The token '{Name}' lacks the scope '{scope}'.");
        }
    }

    /// <summary>Throws <see cref="ForbiddenException"/> unless <paramref name="service"/> is in the caller's list.</summary>
    public void DemandService(string service)
    {
        if (!MayAccess(service))
        {
            throw new ForbiddenException($"The token '{Name}' may not access the service '{service}'.");
        }
    }

    /// <summary>
    /// Throws <see cref="ForbiddenException"/> unless the caller may read <paramref name="deployment"/>'s service. For a
    /// caller limited to services an unknown deployment (null) is refused in the same words: a 404 there would tell the
    /// token which ids exist in other services. A caller for every service gets null back (the endpoint answers 404).
    /// </summary>
    public void DemandDeployment(Deployment? deployment) => DemandDeploymentOf(deployment?.Service);

    /// <summary>
    /// <see cref="DemandDeployment"/> knowing only the deployment's service: <paramref name="service"/> null stands for an
    /// unknown deployment, refused to a caller limited to services in the same words as another service's.
    /// </summary>
    public void DemandDeploymentOf(string? service)
    {
        if (service is null ? Services is not null : !MayAccess(service))
        {
            throw new ForbiddenException(DeploymentRefusal);
        }
    }

    /// <summary>The refusal of <see cref="DemandDeployment"/>: one text for an unknown deployment and another service's, naming no service.</summary>
    public string DeploymentRefusal =>
        $"The token '{Name}' may not access this deployment: it is not registered, or its service is outside the token's list.";

    /// <summary>Throws <see cref="ForbiddenException"/> unless the caller may access every service (token and audit administration).</summary>
    public void DemandEveryService()
    {
        if (Services is not null)
        {
            throw new ForbiddenException($"The token '{Name}' is limited to some services; this needs a token for every service.");
        }
    }
}

/// <summary>
/// The caller of the request being served, for code below the endpoints (services shared by HTTP and GraphQL, GraphQL
/// resolvers, WebSocket operations). Like <c>IHttpContextAccessor</c> it flows with the async control flow; it holds a
/// mutable slot rather than the caller itself so that a WebSocket's <c>connection_init</c>, handled deep inside the
/// request, can set the caller for the operations that follow it. Outside a request (background work, tests without
/// HTTP) the caller is <see cref="Caller.Open"/>: everything there is started by the service itself.
/// </summary>
public static class CallerContext
{
    private static readonly AsyncLocal<Slot?> Slots = new();

    /// <summary>The caller of the current request; <see cref="Caller.Open"/> outside requests.</summary>
    public static Caller Current => Slots.Value is { } slot ? slot.Caller ?? Unauthenticated() : Caller.Open;

    /// <summary>Starts a request's slot holding <paramref name="caller"/> (null: not yet known, e.g. a WebSocket before connection_init).</summary>
    public static Slot Enter(Caller? caller)
    {
        var slot = new Slot { Caller = caller };
        Slots.Value = slot;
        return slot;
    }

    /// <summary>The current request's slot, if any.</summary>
    public static Slot? CurrentSlot => Slots.Value;

    private static Caller Unauthenticated() =>
        throw new ForbiddenException("The request is not authenticated.");

    /// <summary>The mutable holder of one request's caller.</summary>
    public sealed class Slot
    {
        public Caller? Caller { get; set; }
    }
}
