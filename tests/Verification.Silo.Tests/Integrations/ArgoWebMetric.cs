using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Verification.Silo.Tests.Integrations;

/// <summary>Argo Rollouts' phases of a measurement and of a metric.</summary>
internal enum ArgoPhase
{
    Running,
    Successful,
    Failed,
    Inconclusive,
    Error,
}

/// <summary>
/// One <c>web</c> metric of an AnalysisTemplate as the Argo Rollouts controller runs it: the request the web provider sends
/// (method, url, headers, body; a non-2xx answer is a measurement Error), <c>jsonPath</c> on the answer, the measurement's
/// phase from <c>successCondition</c>/<c>failureCondition</c> (Argo's evaluate.EvaluateResult: failure wins; with both
/// conditions and neither true, Inconclusive; with only a success condition, false is Failed), and the metric's phase
/// after each measurement (assessMetricStatus: failed &gt; failureLimit → Failed, inconclusive &gt; inconclusiveLimit →
/// Inconclusive, consecutive errors &gt; consecutiveErrorLimit (default 4) → Error, count reached → Successful).
/// The tests take measurements one after another; the interval between them is the controller's clock, not modelled.
/// </summary>
internal sealed partial class ArgoWebMetric
{
    private const int DefaultConsecutiveErrorLimit = 4;
    private readonly YamlMappingNode _spec;
    private readonly YamlMappingNode _web;

    private ArgoWebMetric(YamlMappingNode spec)
    {
        _spec = spec;
        _web = (YamlMappingNode)((YamlMappingNode)spec["provider"])["web"];
        Name = Scalar(spec, "name")!;
    }

    public string Name { get; }

    public int Measurements { get; private set; }

    public int Failed { get; private set; }

    public int Inconclusive { get; private set; }

    public int ConsecutiveErrors { get; private set; }

    public ArgoPhase? Last { get; private set; }

    /// <summary>
    /// The metrics of the AnalysisTemplate in <paramref name="yaml"/>, with <c>{{args.name}}</c> resolved from the
    /// template's defaults and <paramref name="args"/> — what the controller does when it creates the AnalysisRun.
    /// </summary>
    public static IReadOnlyList<ArgoWebMetric> Load(string yaml, IReadOnlyDictionary<string, string> args)
    {
        var template = Documents(yaml).Single(d => Scalar(d, "kind") == "AnalysisTemplate");
        var values = new Dictionary<string, string>(args);
        foreach (var arg in ((YamlSequenceNode)((YamlMappingNode)template["spec"])["args"]).Cast<YamlMappingNode>())
        {
            var name = Scalar(arg, "name")!;
            if (!values.ContainsKey(name))
            {
                values[name] = Scalar(arg, "value") ?? throw new InvalidOperationException($"argument '{name}' has no value");
            }
        }

        var resolved = ArgPlaceholder().Replace(yaml, m => values.TryGetValue(m.Groups[1].Value, out var v)
            ? v
            : throw new InvalidOperationException($"unresolved {m.Value}"));
        var spec = (YamlMappingNode)Documents(resolved).Single(d => Scalar(d, "kind") == "AnalysisTemplate")["spec"];
        return [.. ((YamlSequenceNode)spec["metrics"]).Cast<YamlMappingNode>().Select(m => new ArgoWebMetric(m))];
    }

    public static IReadOnlyList<YamlMappingNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    public int? Count => Int(_spec, "count") ?? (Scalar(_spec, "interval") is null ? 1 : null);

    /// <summary>Takes one measurement, as the web provider does, and returns its phase.</summary>
    public async Task<ArgoPhase> MeasureAsync(HttpClient http)
    {
        var phase = await PhaseOfAsync(http);
        Measurements++;
        Last = phase;
        switch (phase)
        {
            case ArgoPhase.Failed:
                Failed++;
                break;
            case ArgoPhase.Inconclusive:
                Inconclusive++;
                break;
        }

        ConsecutiveErrors = phase == ArgoPhase.Error ? ConsecutiveErrors + 1 : 0;
        return phase;
    }

    /// <summary>The metric's phase after the measurements so far.</summary>
    public ArgoPhase Assess()
    {
        if (Measurements == 0)
        {
            return ArgoPhase.Running;
        }

        if (Failed > (Int(_spec, "failureLimit") ?? 0))
        {
            return ArgoPhase.Failed;
        }

        if (Inconclusive > (Int(_spec, "inconclusiveLimit") ?? 0))
        {
            return ArgoPhase.Inconclusive;
        }

        if (ConsecutiveErrors > (Int(_spec, "consecutiveErrorLimit") ?? DefaultConsecutiveErrorLimit))
        {
            return ArgoPhase.Error;
        }

        return Count is { } count && Measurements >= count ? ArgoPhase.Successful : ArgoPhase.Running;
    }

    private async Task<ArgoPhase> PhaseOfAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Scalar(_web, "method") ?? "GET"), Scalar(_web, "url"));
        var headers = _web.Children.TryGetValue(new YamlScalarNode("headers"), out var h)
            ? ((YamlSequenceNode)h).Cast<YamlMappingNode>().ToDictionary(x => Scalar(x, "key")!, x => Scalar(x, "value")!)
            : [];
        if (Scalar(_web, "body") is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8, headers.GetValueOrDefault("Content-Type") ?? "text/plain");
        }

        foreach (var (key, value) in headers.Where(p => p.Key != "Content-Type"))
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        using var response = await http.SendAsync(request);
        if ((int)response.StatusCode is < 200 or >= 300)
        {
            return ArgoPhase.Error;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var selected = Scalar(_web, "jsonPath") is { } path ? JsonPathSubset.Evaluate(json.RootElement, path) : json.RootElement;
        var result = ArgoCondition.Result(selected);
        var success = Scalar(_spec, "successCondition");
        var failure = Scalar(_spec, "failureCondition");
        var succeeded = success is not null && ArgoCondition.Evaluate(success, result);
        var failed = failure is not null && ArgoCondition.Evaluate(failure, result);
        if (success is null && failure is null)
        {
            return ArgoPhase.Successful;
        }

        if (success is not null && failure is null)
        {
            failed = !succeeded;
        }
        else if (success is null)
        {
            succeeded = !failed;
        }

        return failed ? ArgoPhase.Failed : succeeded ? ArgoPhase.Successful : ArgoPhase.Inconclusive;
    }

    private static int? Int(YamlMappingNode node, string key) =>
        Scalar(node, key) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"\{\{\s*args\.([A-Za-z0-9_-]+)\s*\}\}")]
    private static partial Regex ArgPlaceholder();
}
