using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Verification.Api.Access;
using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Http;

/// <summary>
/// <c>GET /v1/deployments/{id}/verdict</c> (API.md v1.1, "CD integrations"): the flat verdict with an <c>ETag</c>, and
/// with <c>?wait=N</c> a long poll that answers as soon as the verdict differs from what the caller has.
/// </summary>
public static class VerdictEndpoints
{
    public const int MaxWaitSeconds = 60;

    public static IEndpointRouteBuilder MapVerdictEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var watches = new VerdictWatches(services.GetRequiredService<IVerdictFeed>(), services.GetRequiredService<IGrainFactory>());
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        endpoints.MapWithProblems().MapGet("/v1/deployments/{id}/verdict",
            (string id, HttpContext context, IGrainFactory grains, CancellationToken cancellationToken) =>
                GetAsync(id, context, grains, watches, time, cancellationToken))
            .RequireScope(Scopes.Read);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IGrainFactory grains, VerdictWatches watches,
        TimeProvider time, CancellationToken cancellationToken)
    {
        DeploymentValidation.Identifier("id", id);
        var query = context.Request.Query;
        var wait = Wait(query["wait"]);
        var decision = DecisionParameter(query["decision"]);
        var grain = grains.GetGrain<IDeploymentGrain>(id);
        if (wait is null)
        {
            return Answer(context, await ReadAsync(grain, id, cancellationToken).ConfigureAwait(false));
        }

        var started = time.GetTimestamp();
        using var lease = watches.Join(id);

        // The race: take the pending change before reading, so a change between the read and the wait still wakes us.
        var change = lease.Current;
        var current = await ReadAsync(grain, id, cancellationToken).ConfigureAwait(false);
        var unchanged = Condition(context.Request.Headers.IfNoneMatch, decision, current);
        while (unchanged(current))
        {
            var next = await NextAsync(change, wait.Value - time.GetElapsedTime(started), time, cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                // The wait ended: the verdict as it is now (a completion, which publishes nothing, shows here).
                return Answer(context, await ReadAsync(grain, id, cancellationToken).ConfigureAwait(false));
            }

            change = next;
            current = next.Latest ?? current;
        }

        return Answer(context, current);
    }

    /// <summary>The change after <paramref name="change"/>, or null when <paramref name="remaining"/> passes first.</summary>
    private static async Task<VerdictWatches.Change?> NextAsync(VerdictWatches.Change change, TimeSpan remaining, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (remaining <= TimeSpan.Zero)
        {
            return null;
        }

        try
        {
            return await change.Next.WaitAsync(remaining, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// When the caller still has the verdict: its <c>If-None-Match</c> names the current ETag; without that header, the
    /// decision is the <c>?decision=</c> given; with neither, nothing changed since the request arrived.
    /// </summary>
    private static Func<VerdictAnswer, bool> Condition(StringValues ifNoneMatch, Decision? decision, VerdictAnswer first)
    {
        if (ifNoneMatch.Count > 0)
        {
            var tags = EntityTags(ifNoneMatch);
            if (tags.Contains("*"))
            {
                tags.Add(first.ETag);
            }

            return answer => tags.Contains(answer.ETag);
        }

        return decision is { } d ? answer => answer.Verdict.Decision == d : answer => answer.ETag == first.ETag;
    }

    /// <summary>The tags of an <c>If-None-Match</c> list (RFC 9110 §13.1.2); weak tags compare by their opaque part.</summary>
    private static HashSet<string> EntityTags(StringValues header)
    {
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in header)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                tags.Add(part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part);
            }
        }

        return tags;
    }

    private static async Task<VerdictAnswer> ReadAsync(IDeploymentGrain grain, string id, CancellationToken cancellationToken)
    {
        var deployment = await grain.GetAsync(cancellationToken).ConfigureAwait(false);
        CallerContext.Current.DemandDeployment(deployment);
        if (deployment is null)
        {
            throw new NotFoundException($"Deployment '{id}' is not registered.");
        }

        return VerdictAnswer.Of(deployment);
    }

    private static IResult Answer(HttpContext context, VerdictAnswer answer)
    {
        context.Response.Headers.ETag = answer.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(answer.Json, "application/json");
    }

    private static TimeSpan? Wait(StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return null;
        }

        return int.TryParse(value.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                out var seconds) && seconds is >= 1 and <= MaxWaitSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new InputException("wait", $"must be a whole number of seconds from 1 to {MaxWaitSeconds}, got '{value}'");
    }

    private static Decision? DecisionParameter(StringValues value)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Decision>(JsonSerializer.Serialize(value.ToString()), ContractJson.Options);
        }
        catch (JsonException)
        {
            throw new InputException("decision", $"must be PENDING, PROMOTE, ROLLBACK or INCONCLUSIVE, got '{value}'");
        }
    }
}
