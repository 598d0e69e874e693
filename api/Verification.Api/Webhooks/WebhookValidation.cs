using Verification.Api.Contracts;
using Verification.Api.Deployments;

namespace Verification.Api.Webhooks;

/// <summary>Validates a webhook subscription (<c>POST /v1/webhooks</c>); errors name the field.</summary>
public static class WebhookValidation
{
    public const int MinSecretLength = 16;
    public const int MaxUrlLength = 2000;

    private static readonly string[] Delivered = [WebhookInput.VerdictChanged, WebhookInput.DeploymentCompleted, WebhookInput.SloAlert];

    public static WebhookSubscription Normalize(string id, WebhookInput input, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(input);
        DeploymentValidation.Text("url", input.Url, MaxUrlLength);
        if (!Uri.TryCreate(input.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new InputException("url", $"must be an absolute http or https URL, got '{input.Url}'");
        }

        if (input.Events is null || input.Events.Count == 0)
        {
            throw new InputException("events", $"name at least one of {string.Join(", ", Delivered)}");
        }

        for (var i = 0; i < input.Events.Count; i++)
        {
            if (!Delivered.Contains(input.Events[i], StringComparer.Ordinal))
            {
                throw new InputException($"events[{i}]", $"must be one of {string.Join(", ", Delivered)}, got '{input.Events[i]}'");
            }
        }

        var services = input.Services ?? [];
        for (var i = 0; i < services.Count; i++)
        {
            DeploymentValidation.Text($"services[{i}]", services[i]);
        }

        DeploymentValidation.Text("secret", input.Secret);
        if (input.Secret.Length < MinSecretLength)
        {
            throw new InputException("secret", $"must be at least {MinSecretLength} characters, got {input.Secret.Length}");
        }

        if (input.Format is not (WebhookInput.CloudEvents or WebhookInput.Slack))
        {
            throw new InputException("format", $"must be '{WebhookInput.CloudEvents}' or '{WebhookInput.Slack}', got '{input.Format}'");
        }

        return new WebhookSubscription(id, url.ToString(), [.. input.Events.Distinct(StringComparer.Ordinal)],
            [.. services.Distinct(StringComparer.Ordinal)], input.Format, input.Secret, createdAt);
    }
}
