using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>
/// Analysis templates (API.md v1.1, "CD integrations"): <c>PUT/GET/DELETE /v1/templates/{name}</c> and
/// <c>GET /v1/templates</c>. A template is validated exactly as a registration's metrics and analysis are.
/// </summary>
public static class TemplateEndpoints
{
    public static IEndpointRouteBuilder MapTemplateEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPut("/v1/templates/{name}", PutAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/templates/{name}", GetAsync).RequireScope(Scopes.Read);
        routes.MapGet("/v1/templates", ListAsync).RequireScope(Scopes.Read);
        routes.MapDelete("/v1/templates/{name}", DeleteAsync).RequireScope(Scopes.Decide);
        return endpoints;
    }

    private static async Task<IResult> PutAsync(string name, HttpRequest request, TemplateCommands templates, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("name", name);
        var input = await RequestContent.ReadJsonAsync<TemplateInput>(request, cancellationToken).ConfigureAwait(false);
        var result = await templates.PutAsync(name, input, cancellationToken).ConfigureAwait(false);
        return Results.Json(result.Template, ContractJson.Options,
            statusCode: result.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> GetAsync(string name, IGrainFactory grains, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("name", name);
        var template = await grains.GetGrain<ITemplateGrain>(name).GetAsync(cancellationToken).ConfigureAwait(false);
        return template is null ? Problems.From(Missing(name)) : Results.Json(template, ContractJson.Options);
    }

    private static async Task<IResult> ListAsync(ITemplateDirectory templates, CancellationToken cancellationToken) =>
        Results.Json(await templates.ListAsync(cancellationToken).ConfigureAwait(false), ContractJson.Options);

    private static async Task<IResult> DeleteAsync(string name, TemplateCommands templates, CancellationToken cancellationToken) =>
        await templates.DeleteAsync(name, cancellationToken).ConfigureAwait(false) ? Results.NoContent() : Problems.From(Missing(name));

    private static NotFoundException Missing(string name) => new($"Template '{name}' does not exist.");
}
