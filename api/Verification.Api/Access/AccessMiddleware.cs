using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Verification.Api.Access;

/// <summary>
/// Authenticates every request to a mapped endpoint and checks the scope the endpoint declares
/// (<see cref="AccessRequirement"/>): 401 <c>UNAUTHENTICATED</c> without a usable token, 403 <c>FORBIDDEN</c> for a
/// missing scope, as a problem body (or a GraphQL error for the GraphQL endpoint). The caller is then available to the
/// code below through <see cref="CallerContext"/>, which checks service lists. Call after routing and WebSockets.
/// </summary>
public static class AccessMiddleware
{
    /// <summary>The <c>extensions.code</c> of a 401.</summary>
    public const string Unauthenticated = "UNAUTHENTICATED";

    /// <summary>The <c>extensions.code</c> of a 403.</summary>
    public const string Forbidden = "FORBIDDEN";

    public static IApplicationBuilder UseAccessControl(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var authenticator = app.ApplicationServices.GetRequiredService<Authenticator>();
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            var requirement = endpoint?.Metadata.GetMetadata<AccessRequirement>() ?? AccessRequirement.Undeclared;
            if (endpoint is null || requirement.IsOpen || Ui.UiEndpoints.IsQueryPageRequest(context))
            {
                // Unmatched requests end in 404/405 without touching anything; a browser's navigation to /graphql gets the
                // query page (static, like the UI's other pages), which then asks for a token when its calls answer 401.
                await next(context).ConfigureAwait(false);
                return;
            }

            string? authorization = context.Request.Headers.Authorization;
            if (requirement.IsPerField && context.WebSockets.IsWebSocketRequest && string.IsNullOrEmpty(authorization))
            {
                // A browser cannot set headers on a WebSocket: the token comes in connection_init (AccessWebSocket).
                CallerContext.Enter(null);
                await next(context).ConfigureAwait(false);
                return;
            }

            Caller? caller;
            string? refusal;
            try
            {
                (caller, refusal) = await authenticator.AuthenticateAsync(authorization, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (Http.Problems.IsUnavailable(e))
            {
                // The token grain's silo died (or is being replaced): retryable, as for any grain call caught by it.
                await UnavailableAsync(context, requirement, e).ConfigureAwait(false);
                return;
            }

            if (caller is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await RefuseAsync(context, requirement, StatusCodes.Status401Unauthorized, Unauthenticated, refusal!).ConfigureAwait(false);
                return;
            }

            if (requirement.Scope is { } scope && !caller.Has(scope))
            {
                await RefuseAsync(context, requirement, StatusCodes.Status403Forbidden, Forbidden,
                    $"The token '{caller.Name}' lacks the scope '{scope}' that {context.Request.Method} {context.Request.Path} needs.").ConfigureAwait(false);
                return;
            }

            context.Items[typeof(Caller)] = caller;
            CallerContext.Enter(caller);
            await next(context).ConfigureAwait(false);
        });

        // Per-token limits (RateLimits), partitioned by the caller found above.
        return app.UseRateLimiter();
    }

    private static Task UnavailableAsync(HttpContext context, AccessRequirement requirement, Exception exception)
    {
        if (!requirement.IsPerField)
        {
            return Http.Problems.Unavailable(exception).ExecuteAsync(context);
        }

        // As when a resolver's grain call is caught by it (ContractErrors.Unavailability): a GraphQL answer with the retryable
        // UNAVAILABLE error, so clients read it as they read every other error of this endpoint.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.RetryAfter = Http.Problems.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            errors = new[]
            {
                new
                {
                    message = Http.Problems.UnavailableMessage(exception),
                    extensions = new { code = GraphQL.ContractErrors.Unavailable, retryAfter = Http.Problems.RetryAfterSeconds },
                },
            },
        }), context.RequestAborted);
    }

    private static Task RefuseAsync(HttpContext context, AccessRequirement requirement, int status, string code, string message)
    {
        if (requirement.IsPerField)
        {
            // The GraphQL endpoint answers in its own error shape (errors[].extensions.code).
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                errors = new[] { new { message, extensions = new { code } } },
            }), context.RequestAborted);
        }

        return Results.Problem(message, statusCode: status, title: status == StatusCodes.Status401Unauthorized ? "Unauthenticated" : "Forbidden",
            extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);
    }
}
