using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Verification.Api.Contracts;
using Verification.Api.Http;

namespace Verification.Api.Access;

/// <summary><c>POST/GET/DELETE /v1/tokens</c> and <c>GET /v1/audit</c> (admin).</summary>
public static class AccessEndpoints
{
    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/tokens", CreateAsync).RequireScope(Scopes.Admin);
        routes.MapGet("/v1/tokens", ListAsync).RequireScope(Scopes.Admin);
        routes.MapDelete("/v1/tokens/{id}", RevokeAsync).RequireScope(Scopes.Admin);
        routes.MapGet("/v1/audit", AuditAsync).RequireScope(Scopes.Admin);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        var input = await RequestContent.ReadJsonAsync<CreateTokenInput>(request, cancellationToken).ConfigureAwait(false);
        return Results.Json(await tokens.CreateAsync(input, cancellationToken).ConfigureAwait(false), ContractJson.Options,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(TokenService tokens, CancellationToken cancellationToken) =>
        Results.Json(await tokens.ListAsync(cancellationToken).ConfigureAwait(false), ContractJson.Options);

    private static async Task<IResult> RevokeAsync(string id, TokenService tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(id, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary><c>?first=100&amp;before=N</c>: newest first; page back with <c>before</c> = the last sequence seen.</summary>
    private static async Task<IResult> AuditAsync(HttpRequest request, AuditTrail audit, CancellationToken cancellationToken)
    {
        var first = Integer(request.Query, "first") ?? AuditTrail.DefaultPage;
        var before = Integer(request.Query, "before");
        return Results.Json(await audit.ListAsync((int)Math.Clamp(first, int.MinValue, int.MaxValue), before, cancellationToken).ConfigureAwait(false),
            ContractJson.Options);
    }

    private static long? Integer(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } text
            ? long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InputException(name, $"must be an integer, got '{text}'")
            : null;
}
