using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Verification.Api.Access;
using Verification.Api.GraphQL;
using Verification.Silo.Tests.Grains;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Access;

/// <summary>
/// The token matrix, generated from what the server maps: every scoped route and every GraphQL root field × every
/// scope × a token for every service and one limited to <c>shop-*</c>, for a service in and out of that list; over
/// HTTP, GraphQL and the GraphQL WebSocket. Authentication is on (a bootstrap token is configured).
/// </summary>
public sealed class AccessMatrixTests : IAsyncLifetime
{
    private const string Bootstrap = "bootstrap-0123456789abcdef0123456789abcdef";
    private static readonly string[] Services = [AccessRoutes.InService, AccessRoutes.OutService];

    private readonly SiloFactory _silo = new();
    private readonly Dictionary<(string Scope, bool Limited), string> _tokens = [];
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _http = null!;

    /// <summary>GraphQL root fields: the document exercising each for a service (queries and mutations over HTTP, subscriptions over WebSocket).</summary>
    private static readonly Dictionary<string, (Reach Reach, Func<string, (string Query, object? Variables)> Document)> Fields = new(StringComparer.Ordinal)
    {
        ["Query.deployment"] = (Reach.Service, s => ($$"""{ deployment(id: "{{AccessRoutes.DeploymentOf(s)}}") { id } }""", null)),
        ["Query.deployments"] = (Reach.Listing, _ => ("{ deployments { service } }", null)),
        ["Query.service"] = (Reach.Service, s => ($$"""{ service(name: "{{s}}") { name } }""", null)),
        ["Query.services"] = (Reach.Listing, _ => ("{ services { name } }", null)),
        ["Query.delivery"] = (Reach.Service, s => ($$"""{ delivery(service: "{{s}}") { deployments } }""", null)),
        ["Query.deliveryTrend"] = (Reach.Service, s => ($$"""{ deliveryTrend(service: "{{s}}", weeks: 1) { isoWeek } }""", null)),
        ["Query.auditLog"] = (Reach.EveryService, _ => ("{ auditLog(first: 1) { sequence } }", null)),
        ["Mutation.registerDeployment"] = (Reach.Service, s => ($$"""
            mutation { registerDeployment(input: {id: "g-{{Guid.NewGuid():N}}", service: "{{s}}", version: "v2", metrics: [{name: "errors", kind: RATIO}]}) { id } }
            """, null)),
        ["Mutation.recordSamples"] = (Reach.Service, s => ($$"""
            mutation { recordSamples(input: {deploymentId: "{{AccessRoutes.DeploymentOf(s)}}", cohort: CANARY, metric: "errors", count: 1, total: 10}) { accepted } }
            """, null)),
        ["Mutation.completeDeployment"] = (Reach.Service,
            s => ($$"""mutation { completeDeployment(id: "{{AccessRoutes.CompletedOf(s)}}", status: ABORTED) { id } }""", null)),
        ["Mutation.applySlo"] = (Reach.Service, s => ("mutation($yaml: String!) { applySlo(yaml: $yaml) { name } }", new { yaml = ServiceGrainTests.Yaml(s) })),
        ["Mutation.recordSloEvents"] = (Reach.Service,
            s => ($$"""mutation { recordSloEvents(input: {service: "{{s}}", slo: "availability", good: 9, total: 10}) { accepted } }""", null)),
        ["Mutation.openIncident"] = (Reach.Service, s => ($$"""mutation { openIncident(input: {service: "{{s}}", title: "down"}) { id } }""", null)),
        ["Mutation.resolveIncident"] = (Reach.Service, s => ($$"""mutation { resolveIncident(id: "{{s}}-1") { id } }""", null)),
        ["Mutation.setReleasePolicy"] = (Reach.Service,
            s => ($$"""mutation { setReleasePolicy(service: "{{s}}", policy: {minBudgetRemaining: 0}) { minBudgetRemaining } }""", null)),
        ["Query.template"] = (Reach.Listing, _ => ("""{ template(name: "web") { name } }""", null)),
        ["Query.templates"] = (Reach.Listing, _ => ("{ templates { name } }", null)),
        ["Mutation.putTemplate"] = (Reach.EveryService, _ => ("""
            mutation { putTemplate(name: "web", input: {metrics: [{name: "errors", kind: RATIO, direction: INCREASE}]}) { name } }
            """, null)),
        ["Mutation.deleteTemplate"] = (Reach.EveryService, _ => ("""mutation { deleteTemplate(name: "absent") }""", null)),
        ["Mutation.recordPipelineRun"] = (Reach.Service, s => ($$"""
            mutation { recordPipelineRun(input: {service: "{{s}}", pipeline: "ci", runId: "1", kind: BUILD, status: SUCCEEDED}) { accepted } }
            """, null)),
        ["Subscription.verdictChanged"] = (Reach.Service,
            s => ($$"""subscription { verdictChanged(deploymentId: "{{AccessRoutes.DeploymentOf(s)}}") { decision } }""", null)),
    };

    public async Task InitializeAsync()
    {
        _factory = _silo.WithWebHostBuilder(b => b.UseSetting("Auth:BootstrapToken", Bootstrap));
        _http = _factory.CreateClient();
        foreach (var service in Services)
        {
            await SetUpAsync(HttpMethod.Post, "/v1/deployments", AccessRoutes.RegisterBody(AccessRoutes.DeploymentOf(service), service));
            await SetUpAsync(HttpMethod.Post, "/v1/deployments", AccessRoutes.RegisterBody(AccessRoutes.CompletedOf(service), service));
            await SetUpAsync(HttpMethod.Post, "/v1/incidents", $$"""{"service":"{{service}}","title":"first"}""");
        }

        foreach (var scope in Scopes.All)
        {
            foreach (var limited in new[] { false, true })
            {
                var services = limited ? ""","services":["shop-*"]""" : "";
                using var created = await SetUpAsync(HttpMethod.Post, "/v1/tokens",
                    $$"""{"name":"{{scope}}{{(limited ? "-shop" : "")}}","scopes":["{{scope}}"]{{services}}}""");
                using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
                _tokens[(scope, limited)] = body.RootElement.GetProperty("token").GetString()!;
            }
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public void Routes_EveryMappedRoute_DeclaresWhatItNeeds()
    {
        var undeclared = AccessRoutes.Mapped(_factory.Services).Where(r => r.Requirement is null).Select(r => r.Key).ToList();

        Assert.Empty(undeclared);
    }

    [Fact]
    public void Schema_EveryRootField_DeclaresItsScope()
    {
        var schema = VerificationSchema.Build();

        var undeclared = new[] { schema.QueryType, schema.MutationType, schema.SubscriptionType }.OfType<Verification.GraphQL.Types.ObjectType>()
            .SelectMany(t => t.Fields.Where(f => FieldAccess.DeclaredScope(f) is null).Select(f => $"{t.Name}.{f.Name}")).ToList();

        Assert.Empty(undeclared);
    }

    [Fact]
    public async Task Http_EveryScopedRouteEveryScopeInAndOutOfList_AnswersAsDeclared()
    {
        var routes = AccessRoutes.Mapped(_factory.Services).Where(r => r.Requirement?.Scope is not null).ToList();
        Assert.Empty(routes.Where(r => !AccessRoutes.Cases.ContainsKey(r.Key)).Select(r => r.Key));
        var failures = new List<string>();
        var requests = 0;

        foreach (var (key, requirement) in routes)
        {
            var route = AccessRoutes.Cases[key];
            var request = route.Request(AccessRoutes.InService);
            // A state-changing request with neither a body type nor a bearer token is refused by the browser guard first.
            var refusedBy = request.Content is null && request.Method != HttpMethod.Get ? HttpStatusCode.UnsupportedMediaType : HttpStatusCode.Unauthorized;
            var anonymous = await StatusAsync(request, null);
            requests++;
            if (anonymous != refusedBy)
            {
                failures.Add($"{key} without a token: {(int)anonymous}");
            }

            foreach (var (scope, limited, service, allowed) in Combinations(requirement!.Scope!, route.Reach))
            {
                var status = await StatusAsync(route.Request(service), _tokens[(scope, limited)]);
                requests++;
                if (allowed ? status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (int)status >= 500 : status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{key} {scope}{(limited ? " (shop-*)" : "")} on {service}: {(int)status}, expected {(allowed ? "allowed" : "403")}");
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(requests >= routes.Count * 13, $"{requests} requests");
    }

    [Fact]
    public async Task GraphQL_EveryRootFieldEveryScopeInAndOutOfList_AnswersAsDeclared()
    {
        var schema = VerificationSchema.Build();
        var fields = new[] { schema.QueryType, schema.MutationType }.OfType<Verification.GraphQL.Types.ObjectType>()
            .SelectMany(t => t.Fields.Select(f => (Key: $"{t.Name}.{f.Name}", Scope: FieldAccess.DeclaredScope(f) ?? Scopes.Admin))).ToList();
        Assert.Empty(fields.Where(f => !Fields.ContainsKey(f.Key)).Select(f => f.Key));
        var failures = new List<string>();

        foreach (var (key, scopeNeeded) in fields)
        {
            var (reach, document) = Fields[key];
            using (var anonymous = await _http.SendAsync(GraphQLRequest(document(AccessRoutes.InService), null)))
            {
                var code = Codes(await anonymous.Content.ReadAsStringAsync());
                if (anonymous.StatusCode != HttpStatusCode.Unauthorized || code != AccessMiddleware.Unauthenticated)
                {
                    failures.Add($"{key} without a token: {(int)anonymous.StatusCode} {code}");
                }
            }

            foreach (var (scope, limited, service, allowed) in Combinations(scopeNeeded, reach))
            {
                using var response = await _http.SendAsync(GraphQLRequest(document(service), _tokens[(scope, limited)]));
                var code = Codes(await response.Content.ReadAsStringAsync());
                var refused = code is AccessMiddleware.Forbidden or AccessMiddleware.Unauthenticated;
                if (response.StatusCode != HttpStatusCode.OK || refused == allowed || (!allowed && code != AccessMiddleware.Forbidden))
                {
                    failures.Add($"{key} {scope}{(limited ? " (shop-*)" : "")} on {service}: {(int)response.StatusCode} {code}, expected {(allowed ? "allowed" : "FORBIDDEN")}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task WebSocket_EverySubscriptionFieldEveryScopeInAndOutOfList_AnswersAsDeclared()
    {
        var subscription = VerificationSchema.Build().SubscriptionType!;
        var failures = new List<string>();
        foreach (var field in subscription.Fields)
        {
            var key = $"Subscription.{field.Name}";
            Assert.True(Fields.ContainsKey(key), key);
            var (reach, document) = Fields[key];
            foreach (var (scope, limited, service, allowed) in Combinations(FieldAccess.DeclaredScope(field) ?? Scopes.Admin, reach))
            {
                var answer = await SubscribeAsync(_tokens[(scope, limited)], document(service).Query);
                if (answer != (allowed ? "next" : AccessMiddleware.Forbidden))
                {
                    failures.Add($"{key} {scope}{(limited ? " (shop-*)" : "")} on {service}: {answer}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer vt_not-a-token")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task WebSocket_ConnectionInitWithoutValidToken_Closes4403(string? authorization)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(timeout.Token);
        var init = authorization is null
            ? """{"type":"connection_init"}"""
            : JsonSerializer.Serialize(new { type = "connection_init", payload = new { authorization } });

        await SendAsync(socket, init, timeout.Token);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(4403, (int)result.CloseStatus!);
    }

    [Fact]
    public async Task Http_PerDeploymentRouteUnknownIdForLimitedToken_AnswersAsForAnotherServicesDeployment()
    {
        var limited = _tokens[(Scopes.Admin, true)];
        var everyService = _tokens[(Scopes.Admin, false)];
        var failures = new List<string>();

        foreach (var (key, (request, unknownStatus)) in AccessRoutes.PerDeployment)
        {
            var other = await AnswerAsync(request(AccessRoutes.DeploymentOf(AccessRoutes.OutService)), limited);
            var unknown = await AnswerAsync(request(UnknownId), limited);
            var unknownEveryService = await AnswerAsync(request(UnknownId), everyService);

            if (other.Status != HttpStatusCode.Forbidden || unknown != other)
            {
                failures.Add($"{key}: another service's {other}, unknown {unknown}");
            }

            if (other.Body.Contains(AccessRoutes.OutService, StringComparison.Ordinal))
            {
                failures.Add($"{key}: the refusal names the service: {other.Body}");
            }

            if (unknownEveryService.Status != unknownStatus)
            {
                failures.Add($"{key}: unknown to a token for every service {unknownEveryService}, expected {(int)unknownStatus}");
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task Http_SamplesForAnotherServicesDeploymentTheSiloRemembers_AnswersAsForAnUnknownId()
    {
        var other = AccessRoutes.DeploymentOf(AccessRoutes.OutService);
        static HttpRequestMessage Samples(string id) => new(HttpMethod.Post, "/v1/samples")
        {
            Content = new StringContent($$"""{"deploymentId":"{{id}}","cohort":"CANARY","metric":"errors","count":1,"total":10}""",
                Encoding.UTF8, "application/x-ndjson"),
        };
        // Ingested by a token for every service first: the silo now remembers the deployment's service (DeploymentRegistrations).
        var accepted = await AnswerAsync(Samples(other), _tokens[(Scopes.Ingest, false)]);
        var limited = _tokens[(Scopes.Ingest, true)];

        var sut = await AnswerAsync(Samples(other), limited);
        var unknown = await AnswerAsync(Samples(UnknownId), limited);

        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Equal(HttpStatusCode.Forbidden, sut.Status);
        Assert.Equal(unknown, sut);
        Assert.DoesNotContain(AccessRoutes.OutService, sut.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphQL_PerDeploymentFieldUnknownIdForLimitedToken_AnswersAsForAnotherServicesDeployment()
    {
        var limited = _tokens[(Scopes.Admin, true)];
        var everyService = _tokens[(Scopes.Admin, false)];
        var documents = new Dictionary<string, (Func<string, string> Query, string? UnknownCode)>(StringComparer.Ordinal)
        {
            ["Query.deployment"] = (id => $$"""{ deployment(id: "{{id}}") { id } }""", null),
            ["Mutation.completeDeployment"] = (id => $$"""mutation { completeDeployment(id: "{{id}}", status: ABORTED) { id } }""", "NOT_FOUND"),
            ["Mutation.recordSamples"] = (id => $$"""
                mutation { recordSamples(input: {deploymentId: "{{id}}", cohort: CANARY, metric: "errors", count: 1, total: 10}) { accepted } }
                """, "BAD_USER_INPUT"),
        };
        var failures = new List<string>();

        foreach (var (key, (query, unknownCode)) in documents)
        {
            var other = await GraphQLBodyAsync(query(AccessRoutes.DeploymentOf(AccessRoutes.OutService)), limited);
            var unknown = await GraphQLBodyAsync(query(UnknownId), limited);
            var unknownEveryService = await GraphQLBodyAsync(query(UnknownId), everyService);

            if (Codes(other) != AccessMiddleware.Forbidden || unknown != other || other.Contains(AccessRoutes.OutService, StringComparison.Ordinal))
            {
                failures.Add($"{key}: another service's {other}, unknown {unknown}");
            }

            if (Codes(unknownEveryService) != unknownCode)
            {
                failures.Add($"{key}: unknown to a token for every service {unknownEveryService}, expected {unknownCode ?? "no error"}");
            }
        }

        var subscription = $$"""subscription { verdictChanged(deploymentId: "{{UnknownId}}") { decision } }""";
        var subscriptionOther = $$"""subscription { verdictChanged(deploymentId: "{{AccessRoutes.DeploymentOf(AccessRoutes.OutService)}}") { decision } }""";
        var refusal = await SubscriptionErrorAsync(limited, subscriptionOther);
        Assert.Contains($"\"code\":\"{AccessMiddleware.Forbidden}\"", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessRoutes.OutService, refusal, StringComparison.Ordinal);
        Assert.Equal(refusal, await SubscriptionErrorAsync(limited, subscription));
        Assert.Equal("NOT_FOUND", await SubscribeAsync(everyService, subscription));
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Listings_TokenLimitedToShop_SeeOnlyShopServices()
    {
        var token = _tokens[(Scopes.Read, true)];

        using var services = await _http.SendAsync(Authorized(new HttpRequestMessage(HttpMethod.Get, "/v1/services"), token));
        using var deployments = await _http.SendAsync(GraphQLRequest(("{ deployments { id service } }", null), token));

        Assert.Equal("""[{"name":"shop-api"}]""", Names(await services.Content.ReadAsStringAsync()));
        Assert.Equal(
            """{"data":{"deployments":[{"id":"c-shop-api","service":"shop-api"},{"id":"d-shop-api","service":"shop-api"}]}}""",
            await deployments.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ExportSamples_TokenLimitedToShop_LeavesOtherServicesRowsOut()
    {
        foreach (var service in Services)
        {
            using var record = new HttpRequestMessage(HttpMethod.Post, "/v1/samples")
            {
                Content = new StringContent(
                    $$"""{"deploymentId":"{{AccessRoutes.DeploymentOf(service)}}","cohort":"BASELINE","metric":"errors","count":2,"total":20}""",
                    Encoding.UTF8, "application/x-ndjson"),
            };
            using var recorded = await _http.SendAsync(Authorized(record, Bootstrap));
            Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());
        }

        var limited = await ExportedServicesAsync(_tokens[(Scopes.Read, true)]);
        var sut = await ExportedServicesAsync(_tokens[(Scopes.Read, false)]);

        Assert.Equal([AccessRoutes.InService], limited);
        Assert.Equal(Services.Order(StringComparer.Ordinal), sut);
    }

    private const string UnknownId = "d-never-registered";

    /// <summary>The status and body of an answer, the body without <c>traceId</c> (it differs per request).</summary>
    private async Task<(HttpStatusCode Status, string Body)> AnswerAsync(HttpRequestMessage request, string token)
    {
        using (request)
        {
            using var response = await _http.SendAsync(Authorized(request, token));
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\",?", ""));
        }
    }

    private async Task<string> GraphQLBodyAsync(string query, string token)
    {
        using var response = await _http.SendAsync(GraphQLRequest((query, null), token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The subscription's first answer with <paramref name="token"/>: the error payload as JSON, or the message type.</summary>
    private async Task<string> SubscriptionErrorAsync(string token, string query)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(timeout.Token);
        await SendAsync(socket, JsonSerializer.Serialize(new { type = "connection_init", payload = new { authorization = $"Bearer {token}" } }),
            timeout.Token);
        Assert.Equal("connection_ack", (await ReceiveAsync(socket, timeout.Token))?.GetProperty("type").GetString());
        await SendAsync(socket, JsonSerializer.Serialize(new { type = "subscribe", id = "1", payload = new { query } }), timeout.Token);
        var answer = (await ReceiveAsync(socket, timeout.Token))!.Value;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        return answer.GetProperty("type").GetString() == "error" ? answer.GetProperty("payload").GetRawText() : answer.GetProperty("type").GetString()!;
    }

    /// <summary>The services of the rows of <c>GET /v1/export/samples</c> (JSON lines) as the token sees them.</summary>
    private async Task<List<string>> ExportedServicesAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/export/samples");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await _http.SendAsync(Authorized(request, token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("service").GetString()!).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>Every token against a route or field needing <paramref name="needed"/>, with whether it may pass.</summary>
    private static IEnumerable<(string Scope, bool Limited, string Service, bool Allowed)> Combinations(string needed, Reach reach)
    {
        foreach (var scope in Scopes.All)
        {
            var hasScope = scope == needed || scope == Scopes.Admin;
            foreach (var limited in new[] { false, true })
            {
                foreach (var service in reach == Reach.Service ? Services : [AccessRoutes.InService])
                {
                    var inList = !limited || reach == Reach.Listing || (reach == Reach.Service && service == AccessRoutes.InService);
                    yield return (scope, limited, service, hasScope && inList);
                }
            }
        }
    }

    private async Task<HttpResponseMessage> SetUpAsync(HttpMethod method, string path, string json)
    {
        var response = await _http.SendAsync(Authorized(
            new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, Bootstrap));
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    private async Task<HttpStatusCode> StatusAsync(HttpRequestMessage request, string? token)
    {
        using (request)
        {
            using var response = await _http.SendAsync(Authorized(request, token));
            return response.StatusCode;
        }
    }

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private static HttpRequestMessage GraphQLRequest((string Query, object? Variables) document, string? token) =>
        Authorized(new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query = document.Query, variables = document.Variables }), Encoding.UTF8,
                "application/json"),
        }, token);

    /// <summary>The first error's <c>extensions.code</c>, or null without errors.</summary>
    private static string? Codes(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0
            && errors[0].TryGetProperty("extensions", out var extensions) && extensions.TryGetProperty("code", out var code)
            ? code.GetString()
            : null;
    }

    private static string Names(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement.EnumerateArray().Select(s => new { name = s.GetProperty("name").GetString() }));
    }

    /// <summary>Subscribes with <paramref name="token"/> in connection_init: "next", an error's code, or the close status.</summary>
    private async Task<string> SubscribeAsync(string token, string query)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await ConnectAsync(timeout.Token);
        await SendAsync(socket, JsonSerializer.Serialize(new { type = "connection_init", payload = new { authorization = $"Bearer {token}" } }),
            timeout.Token);
        var ack = await ReceiveAsync(socket, timeout.Token);
        if (ack?.GetProperty("type").GetString() != "connection_ack")
        {
            return $"no ack: {socket.CloseStatus}";
        }

        await SendAsync(socket, JsonSerializer.Serialize(new { type = "subscribe", id = "1", payload = new { query } }), timeout.Token);
        var answer = await ReceiveAsync(socket, timeout.Token);
        var type = answer?.GetProperty("type").GetString();
        var result = type == "error"
            ? answer!.Value.GetProperty("payload")[0].GetProperty("extensions").GetProperty("code").GetString() ?? "error"
            : type ?? $"closed {socket.CloseStatus}";
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        return result;
    }

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = _factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        return await client.ConnectAsync(new Uri(_factory.Server.BaseAddress, "graphql"), cancellationToken);
    }

    private static Task SendAsync(WebSocket socket, string json, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static async Task<JsonElement?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }
}
