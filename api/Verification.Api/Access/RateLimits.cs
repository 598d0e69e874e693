using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Verification.Api.Access;

/// <summary>Configuration section <c>Auth:RateLimit</c>: per-token limits; 0 turns a limit off.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Auth:RateLimit";

    /// <summary>Requests a token may make per second, sustained (a token bucket refilled every second).</summary>
    public int PermitsPerSecond { get; set; } = 200;

    /// <summary>Requests a token may make at once above the sustained rate (the bucket's size).</summary>
    public int Burst { get; set; } = 400;

    /// <summary>Requests of one token in flight at once (a long-poll or a WebSocket counts while it lasts).</summary>
    public int ConcurrentRequests { get; set; } = 64;
}

/// <summary>
/// Per-token rate and concurrency limits (ASP.NET Core rate limiting, partitioned by the authenticated token): past
/// either, 429 with <c>Retry-After</c> and a problem body with <c>code</c> <c>RATE_LIMITED</c>. Requests served while
/// authentication is off (loopback, no token) are not limited. Counted by the framework's meter
/// <c>Microsoft.AspNetCore.RateLimiting</c> (<c>aspnetcore.rate_limiting.requests</c>, result <c>global_limiter</c>).
/// </summary>
public static class RateLimits
{
    /// <summary>The meter the rate limiting middleware reports on (exported on /metrics).</summary>
    public const string MeterName = "Microsoft.AspNetCore.RateLimiting";

    /// <summary>The <c>code</c> of a 429 answer.</summary>
    public const string RateLimited = "RATE_LIMITED";

    internal static IServiceCollection AddTokenRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (options.PermitsPerSecond < 0 || options.Burst < 0 || options.ConcurrentRequests < 0)
        {
            throw new AccessStartupException($"{RateLimitOptions.Section}: PermitsPerSecond, Burst and ConcurrentRequests must be >= 0 (0 turns a limit off).");
        }

        return services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    Partition(context) is { } key && options.PermitsPerSecond > 0
                        ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                        {
                            TokenLimit = Math.Max(options.Burst, options.PermitsPerSecond),
                            TokensPerPeriod = options.PermitsPerSecond,
                            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                            QueueLimit = 0,
                            AutoReplenishment = true,
                        })
                        : RateLimitPartition.GetNoLimiter(string.Empty)),
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    Partition(context) is { } key && options.ConcurrentRequests > 0
                        ? RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions
                        {
                            PermitLimit = options.ConcurrentRequests,
                            QueueLimit = 0,
                        })
                        : RateLimitPartition.GetNoLimiter(string.Empty)));
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                // The token bucket knows when a permit comes back; a concurrency refusal clears within a second or so.
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                var context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var caller = context.Items[typeof(Caller)] as Caller;
                return new ValueTask(Results.Problem(
                    $"The token '{caller?.Name}' is over its limit ({options.PermitsPerSecond}/s, burst {options.Burst}, "
                    + $"{options.ConcurrentRequests} at once); retry after {seconds} s.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    extensions: new Dictionary<string, object?> { ["code"] = RateLimited }).ExecuteAsync(context));
            };
        });
    }

    /// <summary>The authenticated token's partition; null (no limit) while authentication is off.</summary>
    private static string? Partition(HttpContext context) =>
        context.Items[typeof(Caller)] is Caller caller && !ReferenceEquals(caller, Caller.Open) ? caller.TokenId ?? caller.Name : null;
}
