using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Verification.Cli;

/// <summary>The HTTP side of the service as the CLI uses it; <c>Authorization: Bearer</c> on every request when a token is set.</summary>
internal sealed class VerificationClient : IDisposable
{
    private readonly HttpClient _http;

    public VerificationClient(Uri baseAddress, string? token, HttpMessageHandler? handler = null)
    {
        BaseAddress = baseAddress;
        Token = token;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = baseAddress,
            // Long polls hold a request up to 60 s; every call has its own deadline through its token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseAddress { get; }

    public string? Token { get; }

    public Task<ServiceAnswer> RegisterAsync(string json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/deployments", new StringContent(json, Encoding.UTF8, "application/json"), TimeSpan.FromSeconds(30),
            cancellationToken);

    public Task<ServiceAnswer> PushAsync(string ndjson, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "v1/samples", new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson"), TimeSpan.FromMinutes(5),
            cancellationToken);

    public Task<ServiceAnswer> CompleteAsync(string id, string status, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"v1/deployments/{Uri.EscapeDataString(id)}/complete",
            new StringContent(JsonSerializer.Serialize(new { status }), Encoding.UTF8, "application/json"), TimeSpan.FromSeconds(30),
            cancellationToken);

    /// <summary>The flat verdict; with <paramref name="wait"/>, a long poll until it differs from <paramref name="etag"/>.</summary>
    public async Task<ServiceAnswer> VerdictAsync(string id, string? etag, int? wait, CancellationToken cancellationToken)
    {
        var path = $"v1/deployments/{Uri.EscapeDataString(id)}/verdict"
            + (wait is { } seconds ? "?wait=" + seconds.ToString(CultureInfo.InvariantCulture) : "");
        return await SendAsync(HttpMethod.Get, path, null, TimeSpan.FromSeconds((wait ?? 0) + 30), cancellationToken, etag).ConfigureAwait(false);
    }

    private async Task<ServiceAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, TimeSpan limit,
        CancellationToken cancellationToken, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            return new ServiceAnswer(response.StatusCode, body, response.Headers.ETag?.Tag);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"{method} {new Uri(BaseAddress, path)} did not answer within {limit.TotalSeconds:F0} s");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A status code and body; <see cref="Problem"/> reads an RFC 9457 problem body.</summary>
internal sealed record ServiceAnswer(HttpStatusCode Status, string Body, string? ETag)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    /// <summary>"404 Not Found: Deployment 'x' is not registered. (field id)" from a problem body, else the raw body.</summary>
    public string Problem()
    {
        var text = $"{(int)Status} {Status}";
        try
        {
            using var json = JsonDocument.Parse(Body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail))
            {
                text += ": " + detail.GetString();
                if (root.TryGetProperty("line", out var line))
                {
                    text += $" (line {line.GetRawText()})";
                }

                return text;
            }
        }
        catch (JsonException)
        {
            // Not JSON: show it as it is.
        }

        return string.IsNullOrWhiteSpace(Body) ? text : text + ": " + Body.Trim();
    }
}
