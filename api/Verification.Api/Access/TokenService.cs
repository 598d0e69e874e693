using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Access;

/// <summary>
/// <c>POST/GET/DELETE /v1/tokens</c>: creating (the secret shown once), listing and revoking tokens; admin on every service
/// only. A change clears this silo's <see cref="TokenCache"/> at once (other silos follow within its lifetime).
/// </summary>
public sealed class TokenService(IGrainFactory grains, AuditTrail audit, TokenCache cache, TimeProvider time)
{
    /// <summary>Creates a token; the answer is the only place its secret appears.</summary>
    public async Task<CreatedToken> CreateAsync(CreateTokenInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        DemandAdministrator();
        DeploymentValidation.Text("name", input.Name);
        var scopes = Scopes.Validate(input.Scopes);
        var services = ServicePatterns.Validate(input.Services);
        var now = time.GetUtcNow();
        if (input.ExpiresAt is { } expires && expires <= now)
        {
            throw new InputException("expiresAt", $"must be in the future, got {expires:O}");
        }

        var secret = TokenSecrets.Generate();
        var token = await Tokens.CreateAsync(
            new AccessToken(TokenSecrets.NewId(), input.Name, scopes, services, now, input.ExpiresAt, null),
            TokenSecrets.Hash(secret), cancellationToken).ConfigureAwait(false);
        cache.Invalidate();
        await audit.RecordAsync("token.create", token.Id, null, $"{token.Name}: {string.Join(",", token.Scopes)}"
            + (token.Services is null ? "" : $" on {string.Join(",", token.Services)}"), cancellationToken).ConfigureAwait(false);
        return new CreatedToken(token.Id, token.Name, secret, token.Scopes, token.Services, token.ExpiresAt);
    }

    /// <summary>Every token, without secrets.</summary>
    public Task<IReadOnlyList<AccessToken>> ListAsync(CancellationToken cancellationToken)
    {
        DemandAdministrator();
        return Tokens.ListAsync(cancellationToken);
    }

    /// <summary>Revokes a token at once; <see cref="NotFoundException"/> when unknown.</summary>
    public async Task RevokeAsync(string id, CancellationToken cancellationToken)
    {
        DemandAdministrator();
        DeploymentValidation.Identifier("id", id);
        var revoked = await Tokens.RevokeAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException($"Token '{id}' does not exist.");
        cache.Invalidate();
        await audit.RecordAsync("token.revoke", revoked.Id, null, revoked.Name, cancellationToken).ConfigureAwait(false);
    }

    private static void DemandAdministrator()
    {
        var caller = CallerContext.Current;
        caller.Demand(Scopes.Admin);
        caller.DemandEveryService();
    }

    private IAccessTokenGrain Tokens => grains.GetGrain<IAccessTokenGrain>(IAccessTokenGrain.Key);
}
