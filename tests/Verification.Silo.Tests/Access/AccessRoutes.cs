using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using IronSnappy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Access;
using Verification.Silo.Protos.Prometheus;
using Verification.Silo.Tests.Grains;

namespace Verification.Silo.Tests.Access;

/// <summary>How far a route reaches: one service (in or out of a token's list), a listing cut to the list, or everything.</summary>
internal enum Reach
{
    /// <summary>Touches one service: a token limited to others gets 403.</summary>
    Service,

    /// <summary>Lists what the token may read: a limited token gets the part in its list.</summary>
    Listing,

    /// <summary>Tokens and the audit trail: only a token for every service.</summary>
    EveryService,
}

/// <summary>A request that exercises a route for a service (<c>shop-api</c> in the matrix tokens' list, <c>pay-api</c> out of it).</summary>
internal sealed record RouteCase(Reach Reach, Func<string, HttpRequestMessage> Request);

/// <summary>
/// The route table as the server maps it, and one request per scoped route for the token matrix. A route mapped
/// without a case here fails <see cref="AccessMatrixTests"/>: add its case (and its <c>.RequireScope</c>) with it.
/// </summary>
internal static class AccessRoutes
{
    public const string InService = "shop-api";
    public const string OutService = "pay-api";

    /// <summary>Every route endpoint: "METHOD /pattern" (method "*" when any) and what it declares (null: nothing).</summary>
    public static IReadOnlyList<(string Key, AccessRequirement? Requirement)> Mapped(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(m => m != HttpMethods.Head)
                .Select(m => ($"{m} {"/" + e.RoutePattern.RawText!.TrimStart('/')}", e.Metadata.GetMetadata<AccessRequirement>())))
            .Distinct()];

    public static string DeploymentOf(string service) => $"d-{service}";

    public static string CompletedOf(string service) => $"c-{service}";

    public static string RegisterBody(string id, string service) =>
        $$"""{"id":"{{id}}","service":"{{service}}","version":"v2","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE"}]}""";

    public static IReadOnlyDictionary<string, RouteCase> Cases { get; } = new Dictionary<string, RouteCase>(StringComparer.Ordinal)
    {
        ["POST /v1/deployments"] = new(Reach.Service, s => Json(HttpMethod.Post, "/v1/deployments", RegisterBody($"r-{Guid.NewGuid():N}", s))),
        ["GET /v1/deployments/{id}"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/deployments/{DeploymentOf(s)}")),
        ["POST /v1/deployments/{id}/complete"] = new(Reach.Service,
            s => Json(HttpMethod.Post, $"/v1/deployments/{CompletedOf(s)}/complete", """{"status":"ABORTED"}""")),
        ["GET /v1/deployments/{id}/verdict"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/deployments/{DeploymentOf(s)}/verdict")),
        ["POST /v1/samples"] = new(Reach.Service, s => Content(HttpMethod.Post, "/v1/samples",
            $$"""{"deploymentId":"{{DeploymentOf(s)}}","cohort":"CANARY","metric":"errors","count":1,"total":10}""", "application/x-ndjson")),
        ["POST /v1/integrations/flagger"] = new(Reach.Service, s => Json(HttpMethod.Post, "/v1/integrations/flagger",
            $$$"""{"name":"web","namespace":"prod","phase":"Progressing","checksum":"1","type":"confirm-rollout","metadata":{"deploymentId":"{{{DeploymentOf(s)}}}"}}""")),
        ["POST /v1/slos"] = new(Reach.Service, s => Content(HttpMethod.Post, "/v1/slos", ServiceGrainTests.Yaml(s), "application/yaml")),
        ["POST /v1/slo-events"] = new(Reach.Service, s => Content(HttpMethod.Post, "/v1/slo-events",
            $$"""{"service":"{{s}}","slo":"availability","good":9,"total":10}""", "application/x-ndjson")),
        ["GET /v1/services"] = new(Reach.Listing, _ => new(HttpMethod.Get, "/v1/services")),
        ["GET /v1/services/{name}"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/services/{s}")),
        ["PUT /v1/services/{name}/policy"] = new(Reach.Service, s => Json(HttpMethod.Put, $"/v1/services/{s}/policy", """{"minBudgetRemaining":0}""")),
        ["GET /v1/services/{name}/prometheus-rules"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/services/{s}/prometheus-rules")),
        ["POST /v1/incidents"] = new(Reach.Service, s => Json(HttpMethod.Post, "/v1/incidents", $$"""{"service":"{{s}}","title":"down"}""")),
        ["POST /v1/incidents/{id}/resolve"] = new(Reach.Service, s => Json(HttpMethod.Post, $"/v1/incidents/{s}-1/resolve", "{}")),
        ["GET /v1/delivery"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/delivery?service={s}")),
        ["POST /v1/tokens"] = new(Reach.EveryService,
            _ => Json(HttpMethod.Post, "/v1/tokens", $$"""{"name":"t-{{Guid.NewGuid():N}}","scopes":["read"]}""")),
        ["GET /v1/tokens"] = new(Reach.EveryService, _ => new(HttpMethod.Get, "/v1/tokens")),
        ["DELETE /v1/tokens/{id}"] = new(Reach.EveryService, _ => new(HttpMethod.Delete, "/v1/tokens/000000000000000000000000")),
        ["GET /v1/audit"] = new(Reach.EveryService, _ => new(HttpMethod.Get, "/v1/audit")),
        ["POST /otlp/v1/metrics"] = new(Reach.Service, s => Content(HttpMethod.Post, "/otlp/v1/metrics", OtlpJson(DeploymentOf(s)), "application/json")),
        ["POST /prometheus/api/v1/write"] = new(Reach.Service, s => RemoteWrite(DeploymentOf(s))),
        ["GET /prometheus/pull/{deploymentId}"] = new(Reach.Service, s => new(HttpMethod.Get, $"/prometheus/pull/{DeploymentOf(s)}")),
        ["GET /metrics"] = new(Reach.Listing, _ => new(HttpMethod.Get, "/metrics")),
        ["PUT /v1/templates/{name}"] = new(Reach.EveryService, _ => Json(HttpMethod.Put, "/v1/templates/web",
            """{"metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE"}]}""")),
        ["GET /v1/templates/{name}"] = new(Reach.Listing, _ => new(HttpMethod.Get, "/v1/templates/web")),
        ["GET /v1/templates"] = new(Reach.Listing, _ => new(HttpMethod.Get, "/v1/templates")),
        ["DELETE /v1/templates/{name}"] = new(Reach.EveryService, _ => new(HttpMethod.Delete, "/v1/templates/absent")),
        ["POST /v1/webhooks"] = new(Reach.EveryService, _ => Json(HttpMethod.Post, "/v1/webhooks",
            """{"url":"http://127.0.0.1:9/hook","events":["deployment.completed"],"secret":"0123456789abcdef"}""")),
        ["GET /v1/webhooks"] = new(Reach.EveryService, _ => new(HttpMethod.Get, "/v1/webhooks")),
        ["DELETE /v1/webhooks/{id}"] = new(Reach.EveryService, _ => new(HttpMethod.Delete, "/v1/webhooks/wh_absent")),
        ["GET /v1/webhooks/{id}/deliveries"] = new(Reach.EveryService, _ => new(HttpMethod.Get, "/v1/webhooks/wh_absent/deliveries")),
        ["POST /v1/pipeline-runs"] = new(Reach.Service, s => Content(HttpMethod.Post, "/v1/pipeline-runs",
            $$"""{"service":"{{s}}","pipeline":"ci","runId":"1","kind":"BUILD","status":"SUCCEEDED"}""", "application/x-ndjson")),
        ["POST /v1/integrations/github"] = new(Reach.Service, s => CiWebhook($"/v1/integrations/github?service={s}",
            "github-workflow-run-completed.json", ("X-GitHub-Event", "workflow_run"))),
        ["POST /v1/integrations/gitlab"] = new(Reach.Service, s => CiWebhook($"/v1/integrations/gitlab?service={s}",
            "gitlab-pipeline-success.json", ("X-Gitlab-Event", "Pipeline Hook"))),
        ["GET /v1/export/{table}"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/export/deployments?service={s}")),
        ["GET /v1/services/{name}/recent-deployments"] = new(Reach.Service, s => new(HttpMethod.Get, $"/v1/services/{s}/recent-deployments")),
    };

    /// <summary>
    /// Every route about one deployment, as a request for a deployment id, with what a token for every service gets for an
    /// unknown id. A token limited to services gets the same 403 for an unknown id as for another service's deployment.
    /// </summary>
    public static IReadOnlyDictionary<string, (Func<string, HttpRequestMessage> Request, HttpStatusCode Unknown)> PerDeployment { get; } =
        new Dictionary<string, (Func<string, HttpRequestMessage>, HttpStatusCode)>(StringComparer.Ordinal)
        {
            ["GET /v1/deployments/{id}"] = (id => new(HttpMethod.Get, $"/v1/deployments/{id}"), HttpStatusCode.NotFound),
            ["POST /v1/deployments/{id}/complete"] = (id => Json(HttpMethod.Post, $"/v1/deployments/{id}/complete", """{"status":"ABORTED"}"""),
                HttpStatusCode.NotFound),
            ["GET /v1/deployments/{id}/verdict"] = (id => new(HttpMethod.Get, $"/v1/deployments/{id}/verdict"), HttpStatusCode.NotFound),
            ["GET /prometheus/pull/{deploymentId}"] = (id => new(HttpMethod.Get, $"/prometheus/pull/{id}"), HttpStatusCode.NotFound),
            ["POST /v1/samples"] = (id => Content(HttpMethod.Post, "/v1/samples",
                $$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":1,"total":10}""", "application/x-ndjson"),
                HttpStatusCode.BadRequest),
            ["POST /v1/integrations/flagger"] = (id => Json(HttpMethod.Post, "/v1/integrations/flagger",
                $$$"""{"name":"web","namespace":"prod","phase":"Progressing","checksum":"1","type":"confirm-promotion","metadata":{"deploymentId":"{{{id}}}"}}"""),
                HttpStatusCode.NotFound),
        };

    /// <summary>A CI system's webhook (no secret configured here, so it needs a token with ingest), from the example payloads.</summary>
    private static HttpRequestMessage CiWebhook(string path, string payload, (string Name, string Value) header)
    {
        var request = Content(HttpMethod.Post, path, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "CiWebhooks", payload)), "application/json");
        request.Headers.Add(header.Name, header.Value);
        return request;
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, string body) => Content(method, path, body, "application/json");

    private static HttpRequestMessage Content(HttpMethod method, string path, string body, string contentType) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };

    private static string OtlpJson(string deployment) =>
        $$$"""
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"deployment.id","value":{"stringValue":"{{{deployment}}}"}},{"key":"deployment.cohort","value":{"stringValue":"canary"}}]},
          "scopeMetrics":[{"metrics":[{"name":"errors","gauge":{"dataPoints":[{"asDouble":1,"timeUnixNano":"{{{(DateTimeOffset.UtcNow.AddSeconds(-1) - DateTimeOffset.UnixEpoch).Ticks * 100}}}"}]}}]}]}]}
        """;

    private static HttpRequestMessage RemoteWrite(string deployment)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = "errors" });
        series.Labels.Add(new Label { Name = "deployment_cohort", Value = "canary" });
        series.Labels.Add(new Label { Name = "deployment_id", Value = deployment });
        series.Samples.Add(new Sample { Value = 1, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000 });
        var write = new WriteRequest();
        write.Timeseries.Add(series);
        var content = new ByteArrayContent(Snappy.Encode(write.ToByteArray()));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return new(HttpMethod.Post, "/prometheus/api/v1/write") { Content = content };
    }
}
