using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Delivery;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>
/// Pipeline runs in (contract v1.1 "delivery KPIs"): <c>POST /v1/pipeline-runs</c> (NDJSON, as <c>/v1/samples</c>), and the
/// CI systems' own webhooks, unchanged: <c>POST /v1/integrations/github</c> (<c>workflow_run</c>) and
/// <c>POST /v1/integrations/gitlab</c> (pipeline events), each with <c>?service=</c> and <c>?kind=</c> overrides.
/// </summary>
public static class PipelineEndpoints
{
    /// <summary>Configuration key of the GitHub webhook secret; when set, <c>X-Hub-Signature-256</c> must match.</summary>
    public const string GitHubSecretKey = "Integrations:GitHub:Secret";

    /// <summary>Configuration key of the GitLab secret token; when set, <c>X-Gitlab-Token</c> must equal it.</summary>
    public const string GitLabTokenKey = "Integrations:GitLab:Token";

    /// <summary>Largest webhook body read (GitLab pipeline events list every job).</summary>
    public const long MaxWebhookBodyBytes = 16L * 1024 * 1024;

    public static IEndpointRouteBuilder MapPipelineEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var routes = endpoints.MapWithProblems();
        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        routes.MapPost("/v1/pipeline-runs", RecordAsync).RequireScope(Scopes.Ingest);
        SignedOrIngest(routes.MapPost("/v1/integrations/github", GitHubAsync), configuration[GitHubSecretKey]);
        SignedOrIngest(routes.MapPost("/v1/integrations/gitlab", GitLabAsync), configuration[GitLabTokenKey]);
        return endpoints;
    }

    /// <summary>
    /// A CI system cannot send a bearer token with its webhook: with its secret configured, the verified signature (or
    /// token header) authenticates the request instead; without one, the request needs a token with <c>ingest</c> like
    /// any other input.
    /// </summary>
    private static void SignedOrIngest(RouteHandlerBuilder route, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            route.RequireScope(Scopes.Ingest);
        }
        else
        {
            route.AllowOpenAccess();
        }
    }

    private static Task<IResult> RecordAsync(HttpRequest request, PipelineRunIngestion ingestion, CancellationToken cancellationToken) =>
        RequestContent.IngestNdjsonAsync<PipelineRunInput, PipelineRunsResult>(request, ingestion.RecordBulkAsync, r => r, cancellationToken);

    private static async Task<IResult> GitHubAsync(
        HttpRequest request, PipelineRunIngestion ingestion, IConfiguration configuration, CancellationToken cancellationToken)
    {
        using var body = await ReadJsonBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (configuration[GitHubSecretKey] is { Length: > 0 } secret
            && !CiWebhooks.GitHubSignatureValid(body.Span, secret, request.Headers["X-Hub-Signature-256"].ToString() is { Length: > 0 } h ? h : null))
        {
            return Unauthorized("X-Hub-Signature-256", "does not match the body signed with the configured GitHub webhook secret");
        }

        var kind = Kind(request);
        var service = Service(request);
        var gitHubEvent = request.Headers["X-GitHub-Event"].ToString();
        if (gitHubEvent is "ping")
        {
            return Results.Json(new WebhookAnswer(0, 0, "ping received"), ContractJson.Options);
        }

        if (gitHubEvent is { Length: > 0 } and not "workflow_run")
        {
            return Results.Json(new WebhookAnswer(0, 0, $"event '{gitHubEvent}' is not recorded; send workflow_run"), ContractJson.Options,
                statusCode: StatusCodes.Status202Accepted);
        }

        var runs = CiWebhooks.FromGitHub(Parse(body.Span), service, kind);
        return await RecordWebhookAsync(ingestion, runs, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> GitLabAsync(
        HttpRequest request, PipelineRunIngestion ingestion, IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (configuration[GitLabTokenKey] is { Length: > 0 } token
            && !CiWebhooks.GitLabTokenValid(token, request.Headers["X-Gitlab-Token"].ToString() is { Length: > 0 } t ? t : null))
        {
            return Unauthorized("X-Gitlab-Token", "does not equal the configured GitLab secret token");
        }

        using var body = await ReadJsonBodyAsync(request, cancellationToken).ConfigureAwait(false);
        var gitLabEvent = request.Headers["X-Gitlab-Event"].ToString();
        if (gitLabEvent is { Length: > 0 } and not "Pipeline Hook")
        {
            return Results.Json(new WebhookAnswer(0, 0, $"event '{gitLabEvent}' is not recorded; send Pipeline Hook"), ContractJson.Options,
                statusCode: StatusCodes.Status202Accepted);
        }

        var runs = CiWebhooks.FromGitLab(Parse(body.Span), Service(request), Kind(request));
        return await RecordWebhookAsync(ingestion, runs, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RecordWebhookAsync(
        PipelineRunIngestion ingestion, IReadOnlyList<PipelineRunInput> runs, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return Results.Json(new WebhookAnswer(0, 0, "the run has not finished, or its outcome neither passes nor fails; nothing recorded"),
                ContractJson.Options, statusCode: StatusCodes.Status202Accepted);
        }

        try
        {
            var result = await ingestion.RecordBulkAsync(runs, cancellationToken).ConfigureAwait(false);
            return Results.Json(new WebhookAnswer(result.Accepted, result.Duplicates, null), ContractJson.Options);
        }
        catch (BatchInputException e)
        {
            throw e.Input;
        }
    }

    private static async Task<PooledBody> ReadJsonBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!RequestContent.HasMediaType(request, "application/json"))
        {
            throw new InputException("Content-Type", $"send 'application/json' (the webhook's JSON content type), got '{request.ContentType}'");
        }

        return await RequestBodies.ReadAsync(request, MaxWebhookBodyBytes, cancellationToken).ConfigureAwait(false);
    }

    private static JsonElement Parse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        return JsonElement.ParseValue(ref reader);
    }

    private static string? Service(HttpRequest request)
    {
        if (request.Query["service"].ToString() is not { Length: > 0 } service)
        {
            return null;
        }

        DeploymentValidation.Text("service", service);
        return service;
    }

    private static PipelineKind? Kind(HttpRequest request) => request.Query["kind"].ToString() switch
    {
        { Length: 0 } => null,
        var text => Enum.TryParse<PipelineKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new InputException("kind", $"must be BUILD, TEST, SECURITY or DEPLOY, got '{text}'"),
    };

    private static IResult Unauthorized(string field, string reason) =>
        Results.Problem($"{field}: {reason}", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            extensions: new Dictionary<string, object?> { ["field"] = field });
}

/// <summary>The answer to a CI webhook: runs stored, runs known already, and why nothing was recorded when so.</summary>
public sealed record WebhookAnswer(int Accepted, int Duplicates, string? Ignored);
