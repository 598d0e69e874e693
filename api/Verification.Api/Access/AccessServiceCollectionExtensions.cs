using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verification.GraphQL.Transport;

namespace Verification.Api.Access;

/// <summary>Registers authentication, tokens and the audit trail (section <c>Auth</c>).</summary>
public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AccessOptions"/> and registers <see cref="Authenticator"/>, <see cref="TokenService"/>,
    /// <see cref="AuditTrail"/> and the start check (<see cref="AccessStartupCheck"/>). Register after Orleans: the check
    /// reads the stored tokens once the silo has started.
    /// </summary>
    public static IServiceCollection AddAccessControl(this IServiceCollection services, IConfiguration configuration, AccessBinding binding)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AccessOptions>().Bind(configuration.GetSection(AccessOptions.Section));
        services.AddSingleton(binding);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Authenticator>();
        services.AddAuditTrail();
        services.AddTokenRateLimits(configuration);
        services.AddHostedService<AccessStartupCheck>();
        return services;
    }

    /// <summary>
    /// The audit trail and what records to it (<see cref="AuditTrail"/>, <see cref="TokenService"/>,
    /// <see cref="Deployments.DeploymentCommands"/>); also for a silo without HTTP, where every call is the service's own.
    /// </summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<AccessOptions>();
        services.TryAddSingleton<TokenCache>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<Deployments.DeploymentCommands>();
        services.TryAddSingleton<Deployments.TemplateCommands>();
        return services;
    }

    /// <summary>
    /// The GraphQL WebSocket's <c>connection_init</c>: a payload <c>{"authorization": "Bearer …"}</c> authenticates the
    /// connection (else the upgrade request's own header, else open mode); false closes it with 4403.
    /// </summary>
    public static void AuthenticateConnectionInit(GraphQLHttpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.OnConnectionInit = async (context, payload) =>
        {
            var slot = CallerContext.CurrentSlot;
            var authorization = payload?.GetValueOrDefault("authorization") as string;
            if (string.IsNullOrEmpty(authorization) && slot?.Caller is not null)
            {
                return true; // Authenticated by the upgrade request's header already.
            }

            var authenticator = context.RequestServices.GetRequiredService<Authenticator>();
            var (caller, _) = await authenticator.AuthenticateAsync(authorization, context.RequestAborted).ConfigureAwait(false);
            if (caller is null || slot is null)
            {
                return false;
            }

            context.Items[typeof(Caller)] = caller;
            slot.Caller = caller;
            return true;
        };
    }
}

/// <summary>The server refuses to start: it would serve a non-loopback address without authentication.</summary>
public sealed class AccessStartupException(string message) : Exception(message);

/// <summary>
/// At start: refuses an invalid <c>Auth</c> section, and a server bound to a non-loopback address with no token and no
/// bootstrap token unless <c>Auth:Mode=none</c> (<see cref="AccessStartupException"/>); says when it runs open.
/// </summary>
internal sealed partial class AccessStartupCheck(
    IOptions<AccessOptions> options, AccessBinding binding, Authenticator authenticator, IGrainFactory grains,
    ILogger<AccessStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        if (value.Invalid() is { } invalid)
        {
            throw new AccessStartupException(invalid);
        }

        var urls = string.Join(";", binding.Urls);
        if (value.Mode == AuthMode.None)
        {
            LogModeNone(logger, urls);
            return;
        }

        if (await authenticator.IsOpenAsync(cancellationToken).ConfigureAwait(false))
        {
            LogOpen(logger, urls);
            return;
        }

        if (value.BootstrapToken is null && !await AnyTokenAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new AccessStartupException(value.Mode == AuthMode.Tokens
                ? "Auth:Mode=tokens but no token exists and Auth:BootstrapToken is not set: nobody could use the service. "
                  + "Set Auth:BootstrapToken (e.g. `openssl rand -hex 32`) to create the first tokens."
                : $"listening on {urls}, which is not only loopback, with no token: anyone who reaches it could change verdicts. "
                  + "Set Auth:BootstrapToken (e.g. `openssl rand -hex 32`) and create tokens with POST /v1/tokens, "
                  + "listen on 127.0.0.1, or set Auth:Mode=none explicitly (e.g. behind an authenticating proxy).");
        }

        LogTokens(logger, urls);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<bool> AnyTokenAsync(CancellationToken cancellationToken) =>
        (await grains.GetGrain<Contracts.IAccessTokenGrain>(Contracts.IAccessTokenGrain.Key)
            .AuthenticateAsync(null, DateTimeOffset.UnixEpoch, cancellationToken).ConfigureAwait(false)).AnyToken;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Authentication is OFF: listening only on loopback ({Urls}) and no token exists. Anyone on this machine may change "
            + "verdicts. Create a token (POST /v1/tokens) to require tokens from then on.")]
    private static partial void LogOpen(ILogger logger, string urls);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Authentication is OFF (Auth:Mode=none) on {Urls}: every request may do everything.")]
    private static partial void LogModeNone(ILogger logger, string urls);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Authentication is on ({Urls}): requests need 'Authorization: Bearer <token>'.")]
    private static partial void LogTokens(ILogger logger, string urls);
}
