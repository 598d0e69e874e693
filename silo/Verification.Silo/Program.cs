using Verification.Api.Access;
using Verification.Api.Deployments;
using Verification.Api.Export;
using Verification.Api.GraphQL;
using Verification.Api.Http;
using Verification.Api.Ui;
using Verification.GraphQL.Transport;
using Verification.Silo.Ingestion.Telemetry;
using Verification.Silo.Providers.Prometheus;
using Verification.Silo;
using Verification.Silo.Cluster;
using Verification.Silo.Hosting;
using Verification.Silo.Storage;
using Verification.Silo.Telemetry;

// The composition root: `dotnet run --project silo/Verification.Silo` serves http://127.0.0.1:5080 on the embedded
// SQLite default. Configuration: appsettings.json, environment variables `Verification__Section__Key`
// (and the ASP.NET Core `ASPNETCORE_` ones), command line `--Section:Key value`.
var builder = WebApplication.CreateBuilder(args).UseSiloDefaults();
builder.Configuration.AddEnvironmentVariables(prefix: "Verification__");
builder.Configuration.AddCommandLine(args);
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls(SiloDefaults.Urls);
}

builder.WebHost.ConfigureKestrel(kestrel =>
    // Our own limits answer with a problem body; Kestrel's only needs to be above them.
    kestrel.Limits.MaxRequestBodySize = InputLimits.MaxSamplesBodyBytes + 1);

builder.Services.AddProblemDetails();
builder.Services.AddVerificationSilo(builder.Configuration);
builder.UseOrleans(silo => silo.ConfigureVerificationCluster(builder.Configuration));
builder.Services.AddBrowserRequestGuard(builder.Configuration);
builder.Services.AddAccessControl(builder.Configuration, AccessBinding.FromUrls(builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? SiloDefaults.Urls));

var app = builder.Build();
app.UseRequestLog();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBrowserRequestGuard();
app.UseWebSockets();
app.UseAccessControl();

app.MapGet("/healthz", () => Results.Text("ok\n")).AllowOpenAccess();
app.MapGet("/readyz", async (IGrainStorage storage, CancellationToken cancellationToken) =>
    await storage.PingAsync(cancellationToken)
        ? Results.Text("ready\n")
        : Results.Problem("Storage is not reachable.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready"))
    .AllowOpenAccess();
app.MapPrometheusMetrics().RequireMetricsAccess(app.Configuration);
app.MapDeploymentEndpoints();
app.MapSloEndpoints();
app.MapDeliveryEndpoints();
app.MapExportEndpoints();
app.MapGraphQL("/graphql", VerificationSchema.Build(), AccessServiceCollectionExtensions.AuthenticateConnectionInit).RequireScopePerField();
app.MapAccessEndpoints();
app.MapTelemetryEndpoints();
app.MapPrometheusPullStatus();
app.MapVerificationUi();
app.MapOperatorDashboard();

return SiloStartup.Run(app);

/// <summary>Defaults of the process (docs/API.md, "Process").</summary>
internal static class SiloDefaults
{
    public const string Urls = "http://127.0.0.1:5080";
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
