using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>
/// Outbound webhook subscriptions (API.md v1.1, "CD integrations"): <c>POST/GET /v1/webhooks</c>,
/// <c>DELETE /v1/webhooks/{id}</c> and <c>GET /v1/webhooks/{id}/deliveries</c>. The secret is never answered.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxDeliveriesListed = 200;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        routes.MapPost("/v1/webhooks", CreateAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/webhooks", ListAsync).RequireScope(Scopes.Read);
        routes.MapDelete("/v1/webhooks/{id}", DeleteAsync).RequireScope(Scopes.Decide);
        routes.MapGet("/v1/webhooks/{id}/deliveries", DeliveriesAsync).RequireScope(Scopes.Read);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, IGrainFactory grains, AuditTrail audit, CancellationToken cancellationToken)
    {
        CallerContext.Current.DemandEveryService();
        var input = await RequestContent.ReadJsonAsync<WebhookInput>(request, cancellationToken).ConfigureAwait(false);
        var id = "wh_" + Guid.NewGuid().ToString("N");
        var created = await grains.GetGrain<IWebhookGrain>(id).CreateAsync(input, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync("webhook.create", id, null, input.Url, cancellationToken).ConfigureAwait(false);
        return Results.Json(created.View(), ContractJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(IWebhookDirectory webhooks, CancellationToken cancellationToken)
    {
        // Subscriptions name receivers of every service: a token limited to services sees none of them.
        CallerContext.Current.DemandEveryService();
        return Results.Json((await webhooks.ListAsync(cancellationToken).ConfigureAwait(false)).Select(w => w.View()), ContractJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string id, IGrainFactory grains, AuditTrail audit, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        CallerContext.Current.DemandEveryService();
        if (!await grains.GetGrain<IWebhookGrain>(id).DeleteAsync(cancellationToken).ConfigureAwait(false))
        {
            return Problems.From(Missing(id));
        }

        await audit.RecordAsync("webhook.delete", id, null, null, cancellationToken).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> DeliveriesAsync(string id, IGrainFactory grains, IWebhookDirectory webhooks, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        CallerContext.Current.DemandEveryService();
        if (await grains.GetGrain<IWebhookGrain>(id).GetAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return Problems.From(Missing(id));
        }

        return Results.Json(await webhooks.DeliveriesAsync(id, MaxDeliveriesListed, cancellationToken).ConfigureAwait(false), ContractJson.Options);
    }

    private static NotFoundException Missing(string id) => new($"Webhook '{id}' does not exist.");
}
