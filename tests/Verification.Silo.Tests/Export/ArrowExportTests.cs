using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Contracts;
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

    /// <summary>The mean of the CONTINUOUS batch UiScenario sends per deployment and cohort.</summary>
    private static readonly Dictionary<(string Deployment, string Cohort), double> Means = new()
    {
        [("checkout-41", "BASELINE")] = 120,
        [("checkout-41", "CANARY")] = 119,
        [("search-7", "BASELINE")] = 80,
        [("search-7", "CANARY")] = 81,
    };

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

    [Fact]
    public async Task ExportSamples_ArrowReadByApacheArrowJs_BatchesAddUpToEachDeploymentsSummaries()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var sut = await ReadArrowAsync("/v1/export/samples");

        Assert.Equal(
            ["deploymentId:Utf8:false", "service:Utf8:false", "sequence:Int64:false", "batchId:Utf8:true", "metric:Utf8:false", "kind:Utf8:false",
             "cohort:Utf8:false", "at:Timestamp<MILLISECOND, UTC>:false", "count:Int64:true", "total:Int64:true", "observations:Int64:false",
             "sum:Float64:true", "min:Float64:true", "max:Float64:true"],
            Fields(sut));
        // checkout-41: 10 + 10 RATIO batches and one CONTINUOUS batch per cohort; checkout-42: 2 + 2; search-7: 1 + 1; cart-3: 10 + 10.
        Assert.Equal([("cart-3", 20), ("checkout-41", 22), ("checkout-42", 4), ("search-7", 2)],
            sut.Rows.GroupBy(r => r.GetProperty("deploymentId").GetString()!).Select(g => (g.Key, g.Count())));
        foreach (var id in new[] { "cart-3", "checkout-41", "checkout-42", "search-7" })
        {
            var api = await GetJsonAsync($"/v1/deployments/{id}");
            var rows = sut.Rows.Where(r => r.GetProperty("deploymentId").GetString() == id).ToList();
            Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(r => r.GetProperty("sequence").GetInt32()));
            Assert.All(rows, r => AssertSame(api, r, "service"));
            foreach (var summary in api.GetProperty("summaries").EnumerateArray())
            {
                var batches = rows.Where(r => r.GetProperty("metric").GetString() == summary.GetProperty("metric").GetString()
                    && r.GetProperty("cohort").GetString() == summary.GetProperty("cohort").GetString()).ToList();
                var observations = batches.Sum(b => b.GetProperty("observations").GetInt64());
                Assert.Equal(summary.GetProperty("observations").GetInt64(), observations);
                if (summary.GetProperty("count").ValueKind == JsonValueKind.Number)
                {
                    Assert.All(batches, b => Assert.Equal(("RATIO", JsonValueKind.Null), (b.GetProperty("kind").GetString(), b.GetProperty("sum").ValueKind)));
                    Assert.Equal(summary.GetProperty("count").GetInt64(), batches.Sum(b => b.GetProperty("count").GetInt64()));
                    Assert.Equal(summary.GetProperty("total").GetInt64(), batches.Sum(b => b.GetProperty("total").GetInt64()));
                }
                else
                {
                    Assert.All(batches, b => Assert.Equal(("CONTINUOUS", JsonValueKind.Null), (b.GetProperty("kind").GetString(), b.GetProperty("count").ValueKind)));
                    var sum = batches.Aggregate(0.0, (total, b) => total + b.GetProperty("sum").GetDouble());
                    Assert.Equal(summary.GetProperty("mean").GetDouble(), sum / observations);
                    // The scenario sends one batch of UiScenario.Values per cohort: its extremes.
                    var values = UiScenario.Values(Means[(id, summary.GetProperty("cohort").GetString()!)], (int)observations);
                    var batch = Assert.Single(batches);
                    Assert.Equal((values.Min(), values.Max()), (batch.GetProperty("min").GetDouble(), batch.GetProperty("max").GetDouble()));
                }
            }
        }
    }

    [Fact]
    public async Task ReadSamplesAsync_PagesOfFive_EveryBatchOnceInJournalOrder()
    {
        await UiScenario.SeedOnceAsync(factory, _http);
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IDeploymentGrain>("checkout-41");
        var pages = new List<int>();
        var sequences = new List<long>();

        long? after = 0;
        while (after is { } sequence)
        {
            var page = await grain.ReadSamplesAsync(sequence, 5, CancellationToken.None);
            pages.Add(page.Batches.Count);
            sequences.AddRange(page.Batches.Select(b => b.Sequence));
            after = page.Next;
        }

        Assert.Equal([5, 5, 5, 5, 2], pages);
        Assert.Equal(Enumerable.Range(1, 22).Select(i => (long)i), sequences);
    }

    [Fact]
    public async Task ExportSloEvents_ArrowReadByApacheArrowJs_MinutesAddUpToEachSlosGoodAndTotal()
    {
        await UiScenario.SeedOnceAsync(factory, _http);

        var sut = await ReadArrowAsync("/v1/export/slo-events");

        Assert.Equal(
            ["service:Utf8:false", "slo:Utf8:false", "minute:Timestamp<MILLISECOND, UTC>:false", "good:Int64:false", "total:Int64:false"],
            Fields(sut));
        // Per SLO, UiScenario sends events in 71 hours and in 12 five-minute steps of the last hour: one minute each.
        Assert.Equal([("checkout/availability", 83), ("search/latency", 83)],
            sut.Rows.GroupBy(r => $"{r.GetProperty("service").GetString()}/{r.GetProperty("slo").GetString()}").Select(g => (g.Key, g.Count())));
        foreach (var service in new[] { "checkout", "search" })
        {
            foreach (var slo in (await GetJsonAsync($"/v1/services/{service}")).GetProperty("slos").EnumerateArray())
            {
                var rows = sut.Rows.Where(r => r.GetProperty("service").GetString() == service && r.GetProperty("slo").GetString() == slo.GetProperty("name").GetString()).ToList();
                var minutes = rows.Select(r => DateTimeOffset.Parse(r.GetProperty("minute").GetString()!, CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(minutes.Order(), minutes);
                Assert.All(minutes, m => Assert.Equal(0, m.UtcTicks % TimeSpan.TicksPerMinute));
                Assert.Equal(
                    (slo.GetProperty("good").GetInt64(), slo.GetProperty("total").GetInt64()),
                    (rows.Sum(r => r.GetProperty("good").GetInt64()), rows.Sum(r => r.GetProperty("total").GetInt64())));
            }
        }
    }

    [Fact]
    public async Task ReadMinutesAsync_PagesOfFifty_EveryMinuteOnceInOrder()
    {
        await UiScenario.SeedOnceAsync(factory, _http);
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IServiceGrain>("checkout");
        var pages = new List<int>();
        var minutes = new List<DateTimeOffset>();

        SloMinutePage page;
        (string? Slo, DateTimeOffset Minute) after = (null, DateTimeOffset.MinValue);
        do
        {
            page = await grain.ReadMinutesAsync(after.Slo, after.Minute, 50, CancellationToken.None);
            pages.Add(page.Minutes.Count);
            minutes.AddRange(page.Minutes.Select(m => m.Minute));
            after = (page.Minutes[^1].Slo, page.Minutes[^1].Minute);
        }
        while (page.More);

        Assert.Equal([50, 33], pages);
        Assert.Equal(minutes.Distinct().Order(), minutes);
    }

    [Theory]
    [InlineData("samples", "at")]
    [InlineData("slo-events", "minute")]
    public async Task Export_FromTo_OnlyRowsWhoseTimeIsInTheRange(string table, string column)
    {
        await UiScenario.SeedOnceAsync(factory, _http);
        var all = (await ReadArrowAsync($"/v1/export/{table}?service=checkout")).Rows;
        var times = all.Select(r => At(r, column)).Order().ToList();
        var from = times[times.Count / 3];
        var to = times[2 * times.Count / 3];

        var sut = await ReadArrowAsync($"/v1/export/{table}?service=checkout&from={Iso(from)}&to={Iso(to)}");

        var expected = all.Where(r => At(r, column) >= from && At(r, column) < to).Select(r => r.GetRawText()).ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < all.Count);
        Assert.Equal(expected, sut.Rows.Select(r => r.GetRawText()));
    }

    [Theory]
    [InlineData("deployments")]
    [InlineData("verdicts")]
    [InlineData("delivery")]
    [InlineData("samples")]
    [InlineData("slo-events")]
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
    [InlineData("/v1/export/unknown", HttpStatusCode.NotFound, null)]
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

    private static DateTimeOffset At(JsonElement row, string column) =>
        DateTimeOffset.Parse(row.GetProperty(column).GetString()!, CultureInfo.InvariantCulture);

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
