using System.Globalization;
using System.Text.Json;

namespace Verification.Silo.Providers.Prometheus;

/// <summary>One sample of an instant-query result: its labels and value.</summary>
internal sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A query Prometheus refused or could not answer; the message is Prometheus' own where it gave one.</summary>
internal sealed class PrometheusQueryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Instant queries against the Prometheus HTTP API (<c>GET /api/v1/query</c>, Prometheus docs "HTTP API").</summary>
internal sealed class PrometheusQueryClient(HttpClient http, PrometheusPullOptions options)
{
    /// <summary>Evaluates <paramref name="query"/> at <paramref name="at"/>: a vector's samples, or a scalar as one unlabelled sample.</summary>
    public async Task<IReadOnlyList<PromSample>> QueryAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var time = (at.ToUnixTimeMilliseconds() / 1000.0).ToString("R", CultureInfo.InvariantCulture);
        var uri = new Uri(options.Url!, string.Create(CultureInfo.InvariantCulture,
            $"api/v1/query?query={Uri.EscapeDataString(query)}&time={time}&timeout={options.TimeoutSeconds}s"));
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new PrometheusQueryException($"Prometheus at {options.Url} is not reachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusQueryException($"Prometheus did not answer within {options.TimeoutSeconds} s.", e);
        }

        using (response)
        {
            JsonDocument document;
            try
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new PrometheusQueryException($"Prometheus answered {(int)response.StatusCode} without a JSON body.", e);
            }

            using (document)
            {
                return Parse(document.RootElement, (int)response.StatusCode);
            }
        }
    }

    /// <summary>Reads the API envelope <c>{status, data: {resultType, result}}</c> or <c>{status: "error", errorType, error}</c>.</summary>
    internal static IReadOnlyList<PromSample> Parse(JsonElement root, int httpStatus)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status))
        {
            throw new PrometheusQueryException($"Prometheus answered {httpStatus} with an unexpected body.");
        }

        if (status.GetString() != "success")
        {
            var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "unknown";
            var error = root.TryGetProperty("error", out var m) ? m.GetString() : "no message";
            throw new PrometheusQueryException($"Prometheus query failed ({type}): {error}");
        }

        var data = root.GetProperty("data");
        var resultType = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        switch (resultType)
        {
            case "scalar":
                return [new PromSample(new Dictionary<string, string>(), ParseValue(result))];
            case "vector":
                var samples = new List<PromSample>(result.GetArrayLength());
                foreach (var item in result.EnumerateArray())
                {
                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var label in item.GetProperty("metric").EnumerateObject())
                    {
                        labels[label.Name] = label.Value.GetString() ?? string.Empty;
                    }

                    samples.Add(new PromSample(labels, ParseValue(item.GetProperty("value"))));
                }

                return samples;
            default:
                throw new PrometheusQueryException(
                    $"The query returned a {resultType}; an instant vector or a scalar is needed (use an instant query, not a range selector).");
        }
    }

    /// <summary>A value pair <c>[unixSeconds, "text"]</c>; the text may be NaN or ±Inf.</summary>
    private static double ParseValue(JsonElement pair) =>
        pair[1].GetString() switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
}
