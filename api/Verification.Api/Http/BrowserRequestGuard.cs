using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Verification.Api.Http;

/// <summary>Configuration section <c>Cors</c>: the web origins allowed to call the service from a browser.</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins (<c>https://dashboard.example.com</c>) allowed cross-origin requests and WebSocket connections;
    /// empty (the default) turns CORS off.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];
}

/// <summary>
/// Keeps web pages from changing anything through a visitor's browser (cross-site request forgery), for every route,
/// present and future. A page on another origin can only send the CORS "simple" requests without asking first (Fetch
/// standard, "CORS-safelisted request-header": Content-Type <c>text/plain</c>, <c>application/x-www-form-urlencoded</c>,
/// <c>multipart/form-data</c> or none, and no <c>Authorization</c>), and CORS is off unless origins are configured, so:
/// a state-changing request (POST, PUT, PATCH, DELETE) must carry a JSON, YAML, NDJSON or protobuf Content-Type or an
/// <c>Authorization: Bearer</c> header, else 415; a WebSocket upgrade whose <c>Origin</c> is neither this host nor a
/// configured origin is refused with 403 (browsers always send Origin on a WebSocket, and WebSockets ignore CORS).
/// </summary>
public static class BrowserRequestGuard
{
    private const string PolicyName = "configured-origins";

    /// <summary>Media types a browser cannot send cross-origin without a CORS preflight, and that our endpoints read.</summary>
    private static readonly string[] StateChangingMediaTypes =
    [
        "application/json", "application/graphql+json", "application/x-ndjson", "application/ndjson", "application/jsonl",
        "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/x-protobuf", "application/protobuf",
    ];

    /// <summary>Binds <see cref="CorsOptions"/>; registers a CORS policy only when origins are configured.</summary>
    public static IServiceCollection AddBrowserRequestGuard(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        services.AddSingleton(Options.Create(options));
        if (options.AllowedOrigins.Count > 0)
        {
            services.AddCors(cors => cors.AddPolicy(PolicyName, policy => policy
                .WithOrigins([.. options.AllowedOrigins])
                .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete)
                .WithHeaders(HeaderNames.ContentType, HeaderNames.Authorization, HeaderNames.Accept)));
        }

        return services;
    }

    /// <summary>Adds the guard (and CORS, when configured) to the pipeline; call before the endpoints.</summary>
    public static IApplicationBuilder UseBrowserRequestGuard(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<CorsOptions>>().Value;
        if (options.AllowedOrigins.Count > 0)
        {
            app.UseCors(PolicyName);
        }

        var allowed = new HashSet<string>(options.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        return app.Use(async (context, next) =>
        {
            if (Refusal(context.Request, allowed) is { } refusal)
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>The answer refusing <paramref name="request"/>, or null when it may go on.</summary>
    internal static IResult? Refusal(HttpRequest request, IReadOnlySet<string> allowedOrigins)
    {
        if (IsWebSocketUpgrade(request))
        {
            var origin = request.Headers.Origin.ToString();
            return origin.Length == 0 || IsSameOrigin(request, origin) || allowedOrigins.Contains(origin.TrimEnd('/'))
                ? null
                : Results.Problem($"WebSocket connections from origin '{origin}' are not allowed (configure Cors:AllowedOrigins).",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden origin",
                    extensions: new Dictionary<string, object?> { ["field"] = "Origin" });
        }

        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
        {
            return null;
        }

        if (HasBearerToken(request) || HasStateChangingMediaType(request))
        {
            return null;
        }

        return Results.Problem(
            $"A {method} request needs Content-Type {string.Join(", ", StateChangingMediaTypes)} or an 'Authorization: Bearer' header "
            + $"(so that no web page can send it from a visitor's browser); got '{request.ContentType}'.",
            statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
            extensions: new Dictionary<string, object?> { ["field"] = "Content-Type" });
    }

    private static bool IsWebSocketUpgrade(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);

    private static bool IsSameOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool HasStateChangingMediaType(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
        && parsed.MediaType.Value is { } mediaType
        && (StateChangingMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)));
}
