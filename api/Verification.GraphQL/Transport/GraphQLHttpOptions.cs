using Microsoft.AspNetCore.Http;
using Verification.GraphQL.Execution;

namespace Verification.GraphQL.Transport;

/// <summary>Options of the GraphQL HTTP/WebSocket endpoint mapped by <see cref="GraphQLEndpointExtensions.MapGraphQL"/>.</summary>
public sealed class GraphQLHttpOptions
{
    /// <summary>Default maximum request body size (1 MiB).</summary>
    public const int DefaultMaxRequestBytes = 1024 * 1024;

    /// <summary>Default time a WebSocket client has to send ConnectionInit.</summary>
    public static readonly TimeSpan DefaultConnectionInitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Largest accepted POST body or WebSocket message, in bytes (larger → 413 / close 4400).</summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>Executor options (parser limits, document cache size, exception exposure).</summary>
    public GraphQLExecutorOptions Executor { get; set; } = new();

    /// <summary>Builds the per-request context (services, user state). Default: the request's services.</summary>
    public Func<HttpContext, ValueTask<GraphQLRequestContext>>? ContextFactory { get; set; }

    /// <summary>Decides whether a WebSocket ConnectionInit payload is accepted (false → close 4403 Forbidden).</summary>
    public Func<HttpContext, IReadOnlyDictionary<string, object?>?, ValueTask<bool>>? OnConnectionInit { get; set; }

    /// <summary>Whether subscriptions over WebSocket (graphql-transport-ws) are served on the same path.</summary>
    public bool EnableWebSockets { get; set; } = true;

    /// <summary>How long a WebSocket client may take to send ConnectionInit before close 4408.</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = DefaultConnectionInitTimeout;

    internal void Validate()
    {
        if (MaxRequestBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, "Must be positive.");
        }

        if (ConnectionInitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectionInitTimeout), ConnectionInitTimeout, "Must be positive.");
        }
    }
}
