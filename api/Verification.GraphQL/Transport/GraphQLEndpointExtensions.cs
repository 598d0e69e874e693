using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Verification.GraphQL.Types;

namespace Verification.GraphQL.Transport;

/// <summary>Maps a GraphQL endpoint (GraphQL over HTTP draft, plus graphql-transport-ws on the same path).</summary>
public static class GraphQLEndpointExtensions
{
    /// <summary>
    /// Serves <paramref name="schema"/> at <paramref name="pattern"/>: POST JSON, GET for queries, and WebSocket
    /// subscriptions. Requires <c>app.UseWebSockets()</c> for the WebSocket part.
    /// </summary>
    public static IEndpointConventionBuilder MapGraphQL(
        this IEndpointRouteBuilder endpoints,
        string pattern,
        Schema schema,
        Action<GraphQLHttpOptions>? configure = null)
    {
        var options = new GraphQLHttpOptions();
        configure?.Invoke(options);
        options.Validate();
        var loggerFactory = endpoints.ServiceProvider.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
        var logger = loggerFactory?.CreateLogger("Verification.GraphQL.Transport") ?? (ILogger)NullLogger.Instance;
        var handler = new GraphQLHttpHandler(schema, options, logger);
        return endpoints.Map(pattern, handler.HandleAsync).WithDisplayName("GraphQL " + pattern);
    }
}
