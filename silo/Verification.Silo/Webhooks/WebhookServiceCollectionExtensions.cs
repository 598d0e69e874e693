using Verification.Api.Contracts;

namespace Verification.Silo.Webhooks;

/// <summary>Registers outbound webhooks: subscriptions, the outbox and this silo's dispatcher.</summary>
internal static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.FirstRetrySeconds > 0 && o.MaxRetryDelaySeconds >= o.FirstRetrySeconds && o.RetryHours > 0
                    && o.TimeoutSeconds > 0 && o.PollSeconds > 0 && o.IdlePollMaxSeconds >= o.PollSeconds && o.BatchSize is > 0 and <= 1000
                    && o.SloAlertClockMinutes >= 0 && o.RetentionDays * 24 > o.RetryHours && o.PruneMinutes > 0 && o.PruneBatchSize is > 0 and <= 100_000,
                $"{WebhookOptions.Section}: FirstRetrySeconds, RetryHours, TimeoutSeconds, PollSeconds and PruneMinutes must be > 0, "
                + "MaxRetryDelaySeconds >= FirstRetrySeconds, IdlePollMaxSeconds >= PollSeconds, BatchSize 1–1000, SloAlertClockMinutes >= 0, PruneBatchSize 1–100000, "
                + "RetentionDays longer than RetryHours (an event is never deleted while it may still be retried).")
            .ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookPruner>();
        services.AddSingleton<IWebhookDirectory, WebhookDirectory>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
