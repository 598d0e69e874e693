using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Verification.Api.Export;
using Verification.Silo.Tests.GraphQL;
using Verification.Silo.Tests.TestSupport;
using Verification.Silo.Tests.Ui;

namespace Verification.Silo.Tests.Export;

/// <summary>
/// GET /v1/export/{table}: the Arrow stream read back by the reference JavaScript reader (npm apache-arrow,
/// tests/conformance/arrow-read.js), every row compared with the JSON API, and the JSON lines with the Arrow rows.
/// </summary>
public sealed class ArrowExportTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task ExportDeployments_ArrowReadByApacheArrowJs_EveryRowEqualsTheDeploymentEndpoint()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var sut = await ReadArrowAsync("/v1/export/deployments");

        Assert.Equal(
            ["id:Utf8:false", "service:Utf8:false", "team:Utf8:true", "version:Utf8:false", "environment:Utf8:false", "status:Utf8:false",
             "decision:Utf8:false", "reason:Utf8:false", "score:Float64:true", "decidedAt:Timestamp<MILLISECOND, UTC>:true",
             "startedAt:Timestamp<MILLISECOND, UTC>:false", "finishedAt:Timestamp<MILLISECOND, UTC>:true", "commitSha:Utf8:true",
             "commitTime:Timestamp<MILLISECOND, UTC>:true", "unplanned:Bool:false"],
            Fields(sut));
        Assert.Equal(["cart-3", "checkout-41", "checkout-42", "search-7"], sut.Rows.Select(r => r.GetProperty("id").GetString()));
        foreach (var row in sut.Rows)
        {
            var api = await GetJsonAsync($"/v1/deployments/{row.GetProperty("id").GetString()}");
            var verdict = api.GetProperty("verdict");
            AssertSame(api, row, "id", "service", "team", "version", "environment", "status", "startedAt", "finishedAt", "commitSha", "commitTime", "unplanned");
            AssertSame(verdict, row, "decision", "reason", "score", "decidedAt");
        }
    }

    [Fact]
    public async Task ExportVerdicts_ArrowReadByApacheArrowJs_EveryRowEqualsTheVerdictEndpoint()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var sut = await ReadArrowAsync("/v1/export/verdicts");

        var expected = 0;
        foreach (var id in new[] { "cart-3", "checkout-41", "checkout-42", "search-7" })
        {
            var verdict = await GetJsonAsync($"/v1/deployments/{id}/verdict");
            var rows = sut.Rows.Where(r => r.GetProperty("deploymentId").GetString() == id).ToList();
            var metrics = verdict.GetProperty("metrics").EnumerateArray().ToList();
            Assert.Equal(metrics.Count, rows.Count);
            expected += metrics.Count;
            foreach (var (metric, row) in metrics.Zip(rows))
            {
                AssertSame(verdict, row, "decision", "decidedAt");
                AssertSame(metric, row, "metric", "classification", "critical", "pValue", "effect", "ciLow", "ciHigh", "baselineCount", "canaryCount");
            }
        }

        Assert.Equal(6, expected);
        Assert.Equal(expected, sut.Rows.Count);
    }

    [Fact]
    public async Task ExportDelivery_ArrowReadByApacheArrowJs_EveryRowEqualsTheDeliveryEndpointWeeks()
    {
        await UiScenario.SeedOnceAsync(factory, _http);
        var to = DateTimeOffset.UtcNow;
        var from = to.AddDays(-21);
        var range = $"from={Iso(from)}&to={Iso(to)}";

        var sut = await ReadArrowAsync($"/v1/export/delivery?{range}");

        Assert.Equal(["cart", "checkout", "search"], sut.Rows.Select(r => r.GetProperty("service").GetString()).Distinct());
        foreach (var service in new[] { "cart", "checkout", "search" })
        {
            var weeks = (await GetJsonAsync($"/v1/delivery?service={service}&{range}")).GetProperty("weeks").EnumerateArray().ToList();
            var rows = sut.Rows.Where(r => r.GetProperty("service").GetString() == service).ToList();
            Assert.Equal(weeks.Count, rows.Count);
            Assert.InRange(rows.Count, 3, 4);
            foreach (var (week, row) in weeks.Zip(rows))
            {
                AssertSame(week, row, "isoYear", "isoWeek");
                AssertSame(week.GetProperty("metrics"), row, "from", "to", "deployments", "deploymentFrequencyPerDay", "leadTimeHours", "leadTimeP90Hours",
                    "changeFailureRate", "recoveryTimeHours", "reworkRate", "performance");
            }
        }
    }

    [Theory]
    [InlineData("deployments")]
    [InlineData("verdicts")]
    [InlineData("delivery")]
    public async Task Export_JsonLines_SameRowsAsTheArrowStream(string table)
    {
        await UiScenario.SeedOnceAsync(factory, _http);
        // A fixed range: the delivery table's default range ends at the time of the request.
        var now = DateTimeOffset.UtcNow;
        var path = $"/v1/export/{table}?service=checkout&from={Iso(now.AddDays(-21))}&to={Iso(now.AddDays(1))}";
        var arrow = await ReadArrowAsync(path);

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-ndjson"));
        using var response = await _http.SendAsync(request);
        var sut = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(arrow.Rows.Count, sut.Length);
        Assert.NotEmpty(sut);
        string[] columns = [.. arrow.Fields.Select(f => f.GetProperty("name").GetString()!)];
        foreach (var (line, row) in sut.Zip(arrow.Rows))
        {
            var json = JsonDocument.Parse(line).RootElement;
            Assert.Equal(columns, json.EnumerateObject().Select(p => p.Name));
            AssertSame(json, row, columns);
        }

        Assert.All(arrow.Rows, r => Assert.Equal("checkout", r.GetProperty("service").GetString()));
    }

    [Fact]
    public async Task ExportWriter_MoreRowsThanABatch_StreamsSeveralRecordBatches()
    {
        var table = new ExportTable<int>("numbers", [new("n", ColumnType.Int64, false, n => (long)n)], (_, _) => Numbers(2500));
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;

        await ExportWriter.Arrow(table, new ExportFilter(null, null, null)).ExecuteAsync(context);

        var sut = await ReadArrowAsync(body.ToArray());
        Assert.Equal(3, sut.Batches);
        Assert.Equal(Enumerable.Range(0, 2500), sut.Rows.Select(r => r.GetProperty("n").GetInt32()));
    }

    [Theory]
    [InlineData("/v1/export/samples", HttpStatusCode.NotFound, null)]
    [InlineData("/v1/export/deployments?from=yesterday", HttpStatusCode.BadRequest, "from")]
    [InlineData("/v1/export/deployments?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest, "to")]
    public async Task Export_BadRequest_ProblemWithField(string path, HttpStatusCode status, string? field)
    {
        using var sut = await _http.GetAsync(path);

        Assert.Equal(status, sut.StatusCode);
        Assert.Equal("application/problem+json", sut.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await sut.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.TryGetProperty("field", out var f) ? f.GetString() : null);
    }

    [Fact]
    public async Task Export_AcceptXml_NotAcceptable()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/export/deployments");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/xml"));

        using var sut = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotAcceptable, sut.StatusCode);
    }

    private static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    private async Task<JsonElement> GetJsonAsync(string path) => JsonDocument.Parse(await _http.GetStringAsync(path)).RootElement;

    private async Task<ArrowRead> ReadArrowAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.apache.arrow.stream"));
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apache.arrow.stream", response.Content.Headers.ContentType?.MediaType);
        return await ReadArrowAsync(await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<ArrowRead> ReadArrowAsync(byte[] stream)
    {
        var file = Path.Combine(Path.GetTempPath(), $"verification-export-{Guid.NewGuid():N}.arrows");
        await File.WriteAllBytesAsync(file, stream);
        try
        {
            var output = await NodeScript.RunAsync("arrow-read.js", JsonSerializer.Serialize(new { file }), TimeSpan.FromSeconds(60));
            var root = JsonDocument.Parse(output).RootElement;
            return new ArrowRead(root.GetProperty("batches").GetInt32(), [.. root.GetProperty("fields").EnumerateArray()], [.. root.GetProperty("rows").EnumerateArray()]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<string> Fields(ArrowRead read) =>
        [.. read.Fields.Select(f => $"{f.GetProperty("name").GetString()}:{f.GetProperty("type").GetString()}:{f.GetProperty("nullable").GetBoolean().ToString().ToLowerInvariant()}")];

    /// <summary>Each property of the JSON API equals the Arrow row's column of that name (times to the millisecond).</summary>
    private static void AssertSame(JsonElement api, JsonElement row, params string[] names)
    {
        foreach (var name in names)
        {
            var expected = api.TryGetProperty(name, out var e) ? e : default;
            var actual = row.GetProperty(name);
            Assert.True(Normal(expected) == Normal(actual), $"{name}: API {Normal(expected)}, Arrow {Normal(actual)}");
        }
    }

    private static string Normal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "null",
        JsonValueKind.String when DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            && value.GetString()!.Contains('T', StringComparison.Ordinal) =>
            new DateTimeOffset(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => JsonSerializer.Serialize(value.GetString()),
        _ => value.GetRawText(),
    };

    private sealed record ArrowRead(int Batches, IReadOnlyList<JsonElement> Fields, IReadOnlyList<JsonElement> Rows);
}
