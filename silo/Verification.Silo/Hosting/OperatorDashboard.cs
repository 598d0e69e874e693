using System.Net;
using Orleans.Dashboard;

namespace Verification.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard (Microsoft.Orleans.Dashboard) at <see cref="Path"/> for operators: silos, grain activations,
/// calls, reminders. Off unless <c>Dashboard:Enabled</c> is true, because it profiles every grain call; when on, it
/// answers loopback clients only (there is no authentication on it), and its live log stream is off.
/// </summary>
internal static class OperatorDashboard
{
    public const string Section = "Dashboard";
    public const string Path = "/orleans";

    public static bool Enabled(IConfiguration configuration) => configuration.GetValue($"{Section}:Enabled", false);

    /// <summary>The dashboard's silo side (its grains and call profiling), when enabled.</summary>
    public static ISiloBuilder AddOperatorDashboard(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return Enabled(configuration) ? silo.AddDashboard(o => o.HideTrace = true) : silo;
    }

    /// <summary>The dashboard's pages and API under <see cref="Path"/>, loopback clients only, when enabled.</summary>
    public static WebApplication MapOperatorDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!Enabled(app.Configuration))
        {
            return app;
        }

        // A middleware, not an endpoint filter: it covers every endpoint the dashboard maps, static files included.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase)
                && context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
            {
                await Results.Problem($"The Orleans Dashboard answers loopback clients only ({Section}:Enabled).",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapOrleansDashboard(Path);
        return app;
    }
}
