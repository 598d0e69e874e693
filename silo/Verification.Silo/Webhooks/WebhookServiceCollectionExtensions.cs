using Verification.Api.Contracts;

namespace Verification.Silo.Webhooks;

/// <summary>Registers outbound webhooks: subscriptions, the outbox and this silo's dispatcher.</summary>
internal static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.FirstRetrySeconds > 0 && o.MaxRetryDelaySeconds >= o.FirstRetrySeconds && o.RetryHours > 0
                    && o.TimeoutSeconds > 0 && o.PollSeconds > 0 && o.BatchSize is > 0 and <= 1000
                    && o.SloAlertClockMinutes >= 0,
                $"{WebhookOptions.Section}: FirstRetrySeconds, RetryHours, TimeoutSeconds and PollSeconds must be > 0, "
                + "MaxRetryDelaySeconds >= FirstRetrySeconds, BatchSize 1–1000, SloAlertClockMinutes >= 0.")
            .ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<IWebhookDirectory, WebhookDirectory>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
