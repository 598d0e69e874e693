using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>
/// <c>POST /v1/integrations/flagger</c> (API.md v1.1): Flagger's webhook payload, answered with the status code Flagger
/// acts on for that hook type. Flagger treats any 2xx as "go" and anything else (or a timeout) as "not yet / failed",
/// and logs the body of a non-2xx answer in its events, so every refusal carries the verdict's reason.
/// </summary>
public static partial class FlaggerEndpoints
{
    public const string Path = "/v1/integrations/flagger";

    public static IEndpointRouteBuilder MapFlaggerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Verification.Api.Flagger");
        endpoints.MapWithProblems().MapPost(Path,
            (HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken) => HookAsync(request, grains, logger, cancellationToken))
            .RequireScope(Scopes.Decide);
        return endpoints;
    }

    private static async Task<IResult> HookAsync(HttpRequest request, IGrainFactory grains, ILogger logger, CancellationToken cancellationToken)
    {
        var hook = await FlaggerHook.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        var grain = grains.GetGrain<IDeploymentGrain>(hook.DeploymentId);
        if (hook.Type == "event")
        {
            LogEvent(logger, hook.DeploymentId, hook.Phase ?? "", hook.Metadata.GetValueOrDefault("eventType") ?? "",
                hook.Metadata.GetValueOrDefault("eventMessage") ?? "");
            return Results.Json(new { deploymentId = hook.DeploymentId, type = hook.Type, recorded = true });
        }

        var deployment = await grain.GetAsync(cancellationToken).ConfigureAwait(false);
        if (deployment is null && hook.Type != "post-rollout" && hook.Metadata.TryGetValue("template", out var template))
        {
            // The first hook of a canary registers it from the template (idempotent: a repeat answers the same deployment);
            // the caller's service list and the audit trail apply as to any registration.
            try
            {
                deployment = (await request.HttpContext.RequestServices.GetRequiredService<DeploymentCommands>()
                    .RegisterAsync(hook.Registration(template), cancellationToken).ConfigureAwait(false)).Deployment;
            }
            catch (InputException e) when (e.Field == "template")
            {
                throw new InputException("metadata.template", e.Reason);
            }
        }

        // After a registration above this passes; an unknown deployment is refused to a token limited to services as another
        // service's is, so that the hook does not tell it which ids exist.
        CallerContext.Current.DemandDeployment(deployment);
        if (hook.Type == "post-rollout")
        {
            return await PostRolloutAsync(hook, request.HttpContext.RequestServices.GetRequiredService<DeploymentCommands>(), deployment,
                cancellationToken).ConfigureAwait(false);
        }

        if (deployment is null)
        {
            return Unregistered(hook);
        }

        var verdict = deployment.Verdict;
        var go = hook.Type switch
        {
            "confirm-rollout" or "pre-rollout" => true,
            "rollout" or "confirm-traffic-increase" => verdict.Decision is not (Decision.Rollback or Decision.Inconclusive),
            "confirm-promotion" => verdict.Decision == Decision.Promote,
            "rollback" => verdict.Decision == Decision.Rollback,
            _ => throw new InputException("type", $"unknown hook type '{hook.Type}'; Flagger sends confirm-rollout, pre-rollout, rollout, "
                + "confirm-traffic-increase, confirm-promotion, rollback, post-rollout or event"),
        };
        var decision = JsonNamingPolicy.SnakeCaseUpper.ConvertName(verdict.Decision.ToString());
        return go
            ? Results.Json(new { deploymentId = hook.DeploymentId, type = hook.Type, decision, verdict.Reason })
            : Results.Problem($"{hook.Type}: deployment '{hook.DeploymentId}' is {decision}. {verdict.Reason}",
                statusCode: StatusCodes.Status412PreconditionFailed, title: "Not now",
                extensions: new Dictionary<string, object?> { ["deploymentId"] = hook.DeploymentId, ["decision"] = decision });
    }

    /// <summary>
    /// After promotion or rollback: records what Flagger did (phase Succeeded → PROMOTED, Failed → ROLLED_BACK). Always 2xx:
    /// Flagger only logs a failed post-rollout hook, so the body says whether anything was recorded.
    /// </summary>
    private static async Task<IResult> PostRolloutAsync(FlaggerHook hook, DeploymentCommands deployments, Deployment? deployment,
        CancellationToken cancellationToken)
    {
        DeploymentStatus? status = hook.Phase switch
        {
            "Succeeded" => DeploymentStatus.Promoted,
            "Failed" => DeploymentStatus.RolledBack,
            _ => null,
        };
        string? note = null;
        if (deployment is null)
        {
            note = $"deployment '{hook.DeploymentId}' is not registered; nothing recorded";
            status = null;
        }
        else if (status is { } s)
        {
            try
            {
                await deployments.CompleteAsync(hook.DeploymentId, s, cancellationToken).ConfigureAwait(false);
            }
            catch (ConflictException e)
            {
                note = e.Message;
                status = null;
            }
        }
        else
        {
            note = $"phase '{hook.Phase}' is neither Succeeded nor Failed; nothing recorded";
        }

        return Results.Json(new
        {
            deploymentId = hook.DeploymentId,
            type = hook.Type,
            recorded = status is { } r ? JsonNamingPolicy.SnakeCaseUpper.ConvertName(r.ToString()) : null,
            note,
        });
    }

    private static IResult Unregistered(FlaggerHook hook) =>
        throw new NotFoundException($"Deployment '{hook.DeploymentId}' is not registered; register it before the canary starts "
            + "(POST /v1/deployments), under the id metadata.deploymentId or {name}.{namespace}.{checksum}, "
            + "or name an analysis template in metadata.template.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Flagger event for {DeploymentId}: phase {Phase}, {EventType}: {EventMessage}")]
    private static partial void LogEvent(ILogger logger, string deploymentId, string phase, string eventType, string eventMessage);
}

/// <summary>Flagger's webhook payload (<c>name</c>, <c>namespace</c>, <c>phase</c>, <c>checksum</c>, <c>type</c>, <c>metadata</c>) and the deployment it names.</summary>
internal sealed record FlaggerHook(
    string Type, string DeploymentId, string? Phase, IReadOnlyDictionary<string, string> Metadata, string? Name = null, string? Checksum = null)
{
    /// <summary>
    /// The registration of the deployment from <paramref name="template"/>: service <c>metadata.service</c> (default the
    /// canary's <c>name</c>), version <c>metadata.version</c> (default the <c>checksum</c>), environment
    /// <c>metadata.environment</c> (default production). Errors name the metadata field.
    /// </summary>
    public RegisterDeploymentInput Registration(string template)
    {
        DeploymentValidation.Identifier("metadata.template", template);
        var service = Metadata.GetValueOrDefault("service") ?? Name
            ?? throw new InputException("metadata.service", "is required when the payload has no name");
        var version = Metadata.GetValueOrDefault("version") ?? Checksum
            ?? throw new InputException("metadata.version", "is required when the payload has no checksum");
        return new RegisterDeploymentInput(DeploymentId, service, version,
            Environment: Metadata.GetValueOrDefault("environment") ?? RegisterDeploymentInput.DefaultEnvironment, Template: template);
    }

    /// <summary>
    /// Reads the payload leniently (Flagger adds fields over versions; unknown ones are ignored). The deployment id is
    /// <c>metadata.deploymentId</c>, else <c>{name}.{namespace}.{checksum}</c>.
    /// </summary>
    public static async Task<FlaggerHook> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!RequestContent.HasMediaType(request, "application/json"))
        {
            throw new InputException("Content-Type", $"send 'application/json', got '{request.ContentType}'");
        }

        using var body = await RequestBodies.ReadAsync(request, InputLimits.MaxJsonBodyBytes, cancellationToken).ConfigureAwait(false);
        var root = JsonSerializer.Deserialize<JsonElement>(body.Span);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputException("body", "must be Flagger's webhook payload, a JSON object");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in meta.EnumerateObject())
            {
                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        var type = Text(root, "type") ?? throw new InputException("type", "is required (Flagger sends the hook type)");
        string id;
        if (metadata.TryGetValue("deploymentId", out var named))
        {
            DeploymentValidation.Identifier("metadata.deploymentId", named);
            id = named;
        }
        else
        {
            var name = Text(root, "name") ?? throw new InputException("name", "is required");
            var ns = Text(root, "namespace") ?? throw new InputException("namespace", "is required");
            var checksum = Text(root, "checksum")
                ?? throw new InputException("checksum", "is required unless metadata.deploymentId names the deployment");
            id = $"{name}.{ns}.{checksum}";
            DeploymentValidation.Identifier("checksum", id);
        }

        return new FlaggerHook(type, id, Text(root, "phase"), metadata, Text(root, "name"), Text(root, "checksum"));
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
