using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Verification.Silo.Tests.Integrations;

/// <summary>Spinnaker's execution statuses that a webhook stage's tasks end in.</summary>
internal enum SpinnakerStatus
{
    Running,
    Succeeded,
    Canceled,
    Terminal,
}

/// <summary>
/// One webhook stage of a pipeline as Orca runs it: <c>${parameters.x}</c> expressions resolved, the request
/// (CreateWebhookTask: <c>method</c>, <c>url</c>, <c>customHeaders</c>, <c>payload</c> as JSON; a non-2xx answer ends the
/// stage TERMINAL), then with <c>waitForCompletion</c> and <c>statusUrlResolution: getMethod</c> a GET of the same url per
/// poll (MonitorWebhookTask): <c>statusJsonPath</c> read with JSONPath; a number is percent complete (100 = SUCCEEDED);
/// a string, upper-cased, is looked up in <c>successStatuses</c> (SUCCEEDED), <c>canceledStatuses</c> (CANCELED) and
/// <c>terminalStatuses</c> (TERMINAL), comma-separated and trimmed; anything else keeps the stage RUNNING.
/// </summary>
internal sealed partial class SpinnakerWebhookStage
{
    private readonly JsonObject _stage;

    private SpinnakerWebhookStage(JsonObject stage) => _stage = stage;

    public string RefId => (string)_stage["refId"]!;

    public static IReadOnlyList<SpinnakerWebhookStage> Load(string json, IReadOnlyDictionary<string, string> parameters)
    {
        var pipeline = JsonNode.Parse(json)!.AsObject();
        var values = new Dictionary<string, string>(parameters);
        foreach (var parameter in pipeline["parameterConfig"]!.AsArray())
        {
            var name = (string)parameter!["name"]!;
            if (!values.ContainsKey(name) && parameter["default"] is { } value)
            {
                values[name] = (string)value!;
            }
        }

        var resolved = JsonNode.Parse(Resolve(pipeline["stages"]!.ToJsonString(), values))!.AsArray();
        return [.. resolved.Select(s => new SpinnakerWebhookStage(s!.AsObject()))];
    }

    /// <summary>CreateWebhookTask: the stage's request; SUCCEEDED (or RUNNING when it waits for completion), TERMINAL on non-2xx.</summary>
    public async Task<SpinnakerStatus> StartAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(new HttpMethod((string?)_stage["method"] ?? "POST"), (string)_stage["url"]!);
        if (_stage["payload"] is { } payload)
        {
            var contentType = (string?)_stage["customHeaders"]?["Content-Type"] ?? "application/json";
            request.Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, contentType);
        }

        using var response = await http.SendAsync(request);
        if ((int)response.StatusCode is < 200 or >= 300)
        {
            return SpinnakerStatus.Terminal;
        }

        return (bool?)_stage["waitForCompletion"] == true ? SpinnakerStatus.Running : SpinnakerStatus.Succeeded;
    }

    /// <summary>MonitorWebhookTask, one poll.</summary>
    public async Task<SpinnakerStatus> PollAsync(HttpClient http)
    {
        Assert.Equal("getMethod", (string?)_stage["statusUrlResolution"]);
        using var response = await http.GetAsync((string)_stage["url"]!);
        if ((int)response.StatusCode is >= 500)
        {
            return SpinnakerStatus.Running;
        }

        if ((int)response.StatusCode is < 200 or >= 300)
        {
            return SpinnakerStatus.Terminal;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = JsonPathSubset.Evaluate(json.RootElement, (string)_stage["statusJsonPath"]!);
        if (result.ValueKind == JsonValueKind.Number)
        {
            return result.GetDouble() == 100 ? SpinnakerStatus.Succeeded : SpinnakerStatus.Running;
        }

        var status = (result.ValueKind == JsonValueKind.String ? result.GetString()! : result.GetRawText()).ToUpperInvariant();
        var map = new Dictionary<string, SpinnakerStatus>(StringComparer.Ordinal);
        Add(map, (string?)_stage["successStatuses"], SpinnakerStatus.Succeeded);
        Add(map, (string?)_stage["canceledStatuses"], SpinnakerStatus.Canceled);
        Add(map, (string?)_stage["terminalStatuses"], SpinnakerStatus.Terminal);
        return map.GetValueOrDefault(status, SpinnakerStatus.Running);
    }

    private static void Add(Dictionary<string, SpinnakerStatus> map, string? statuses, SpinnakerStatus status)
    {
        if (string.IsNullOrEmpty(statuses))
        {
            return;
        }

        foreach (var name in statuses.Split(',').Select(s => s.Trim().ToUpperInvariant()))
        {
            map[name] = status;
        }
    }

    private static string Resolve(string text, Dictionary<string, string> values) =>
        Parameter().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new InvalidOperationException($"unresolved {m.Value}"));

    [GeneratedRegex(@"\$\{\s*parameters\.([A-Za-z0-9_]+)\s*\}")]
    private static partial Regex Parameter();
}
