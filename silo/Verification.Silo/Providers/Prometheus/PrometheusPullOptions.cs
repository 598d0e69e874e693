namespace Verification.Silo.Providers.Prometheus;

/// <summary>The Prometheus pull provider (configuration section <c>Prometheus</c>); off while <see cref="Url"/> is unset.</summary>
internal sealed class PrometheusPullOptions
{
    public const string Section = "Prometheus";
    public const int DefaultIntervalSeconds = 30;
    public const int DefaultTimeoutSeconds = 10;

    /// <summary>Base address of the Prometheus HTTP API, e.g. <c>http://127.0.0.1:9090</c>; null disables pulling.</summary>
    public Uri? Url { get; set; }

    /// <summary>How often every VERIFYING deployment's PromQL metrics are evaluated; also the <c>$window</c> length.</summary>
    public int IntervalSeconds { get; set; } = DefaultIntervalSeconds;

    /// <summary>Limit of one query: sent as Prometheus' <c>timeout</c> parameter and as the HTTP timeout.</summary>
    public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public void Validate()
    {
        if (Url is not null && (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new InvalidOperationException($"{Section}:{nameof(Url)} must be an absolute http(s) address, got '{Url}'.");
        }

        if (IntervalSeconds is < 1 or > 86_400)
        {
            throw new InvalidOperationException($"{Section}:{nameof(IntervalSeconds)} must be between 1 and 86400, got {IntervalSeconds}.");
        }

        if (TimeoutSeconds < 1)
        {
            throw new InvalidOperationException($"{Section}:{nameof(TimeoutSeconds)} must be positive, got {TimeoutSeconds}.");
        }
    }
}
