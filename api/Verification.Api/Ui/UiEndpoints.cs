using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Verification.Api.Access;

namespace Verification.Api.Ui;

/// <summary>
/// The built-in UI (API.md, "Contract v1.1 — dashboards and export"): every UI route answers the single-page app for
/// browsers, its scripts and styles come from <c>/ui/…</c>, and <c>GET /graphql</c> asking for <c>text/html</c>
/// answers the query page instead of the GraphQL endpoint.
/// </summary>
public static class UiEndpoints
{
    /// <summary>The paths the app routes itself (history API); a reload on any of them serves the app again.</summary>
    private static readonly string[] AppRoutes = ["/", "/deployments", "/deployments/{id}", "/slos", "/slos/{service}", "/delivery"];

    public static WebApplication MapVerificationUi(this WebApplication app)
    {
        // /graphql belongs to the GraphQL endpoint for every method; a browser's navigation (GET with text/html,
        // never a WebSocket upgrade) is answered before it, so one path serves people and clients alike.
        app.Use(next => context =>
            IsQueryPageRequest(context) ? ServeAsync(context, "query.html") : next(context));
        foreach (var route in AppRoutes)
        {
            app.MapMethods(route, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => AppAsync(context))
                .WithDisplayName("UI " + route).AllowOpenAccess();
        }

        app.MapMethods("/ui/{*name}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string name) => ServeAsync(context, name))
            .WithDisplayName("UI assets").AllowOpenAccess();
        return app;
    }

    /// <summary>True when the request is a browser navigation to <c>/graphql</c> (the query page).</summary>
    internal static bool IsQueryPageRequest(HttpContext context) =>
        context.Request.Path.Equals("/graphql", StringComparison.OrdinalIgnoreCase)
        && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && !context.WebSockets.IsWebSocketRequest
        && !context.Request.Query.ContainsKey("query")
        && AcceptsHtml(context.Request, explicitly: true);

    /// <summary>
    /// Whether the client takes HTML. <paramref name="explicitly"/>: only when <c>text/html</c> is named (browsers
    /// do; <c>curl</c>'s <c>*/*</c> does not), so that clients of an API path keep their JSON.
    /// </summary>
    internal static bool AcceptsHtml(HttpRequest request, bool explicitly)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return !explicitly;
        }

        return accept.Any(a => a.Quality is not 0 && (a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
            || (!explicitly && (a.MediaType.Equals("*/*", StringComparison.Ordinal) || a.MediaType.Equals("text/*", StringComparison.OrdinalIgnoreCase)))));
    }

    private static Task AppAsync(HttpContext context)
    {
        if (!AcceptsHtml(context.Request, explicitly: false))
        {
            context.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("This path is the built-in UI; ask for text/html. The API is under /v1 and /graphql.\n");
        }

        return ServeAsync(context, "index.html");
    }

    private static async Task ServeAsync(HttpContext context, string name)
    {
        var asset = UiAssets.Find(name);
        if (asset is null)
        {
            await Results.Problem($"No UI file '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        // Everything the UI loads comes from this origin: no CDN, no inline scripts.
        response.Headers.ContentSecurityPolicy =
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'";
        response.Headers.Vary = HeaderNames.Accept;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
