using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Google.Protobuf;
using IronSnappy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Verification.Api.Contracts;
using Verification.Silo.Protos.Otlp;
using Verification.Silo.Protos.Prometheus;
using Verification.Silo.Storage;
using Verification.Silo.Tests.TestSupport;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Ingestion.Telemetry;

/// <summary>
/// The push endpoints in the in-process silo: every bad body is a 4xx with a reason and changes nothing, and the
/// receiver keeps serving (each test ends with a good request whose samples are all that is stored).
/// </summary>
public sealed class TelemetryEndpointsTests : IAsyncLifetime
{
    private const string Id = "push-1";
    private const int MaxBodyBytes = 64 * 1024;
    private readonly SiloFactory _factory = new();
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var factory = _factory.WithWebHostBuilder(b => b.UseSetting("Ingestion:Telemetry:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _http = factory.CreateClient();
        using var response = await _http.PostAsJsonAsync("/v1/deployments",
            new RegisterDeploymentInput(Id, "checkout", "v2", [new MetricInput("cpu", MetricKind.Continuous)]), ContractJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _factory.DisposeAsync();
    }

    public static TheoryData<string> BadOtlpBodies => ["protobuf", "json", "gzip", "content-type", "encoding", "too-large", "too-large-gzip"];

    [Theory]
    [MemberData(nameof(BadOtlpBodies))]
    public async Task ExportOtlp_BadBody_4xxWithReasonNothingAppliedStillServing(string bad)
    {
        var valid = OtlpBody(0.5);
        var (content, status, reason) = bad switch
        {
            "protobuf" => (Bytes([0x0A, 0xFF, 0x01], "application/x-protobuf"), HttpStatusCode.BadRequest, "not a valid ExportMetricsServiceRequest"),
            "json" => (Bytes("{\"resourceMetrics\": ["u8.ToArray(), "application/json"), HttpStatusCode.BadRequest, "not valid OTLP/JSON"),
            "gzip" => (Bytes(valid, "application/x-protobuf", "gzip"), HttpStatusCode.BadRequest, "not a valid gzip stream"),
            "content-type" => (Bytes(valid, "text/plain"), HttpStatusCode.UnsupportedMediaType, "application/x-protobuf"),
            "encoding" => (Bytes(valid, "application/x-protobuf", "br"), HttpStatusCode.UnsupportedMediaType, "'br' is not supported"),
            "too-large" => (Bytes(new byte[MaxBodyBytes + 1], "application/x-protobuf"), HttpStatusCode.RequestEntityTooLarge, "exceeds the limit"),
            _ => (Bytes(Gzip(new byte[MaxBodyBytes + 1]), "application/x-protobuf", "gzip"), HttpStatusCode.RequestEntityTooLarge,
                "decompressed body exceeds the limit"),
        };

        using (var response = await _http.PostAsync("/otlp/v1/metrics", content))
        {
            Assert.Equal(status, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains(reason, body, StringComparison.Ordinal);
        }

        Assert.Empty((await GetAsync()).Summaries);
        using (var good = await _http.PostAsync("/otlp/v1/metrics", Bytes(Gzip(OtlpBody(0.25)), "application/x-protobuf", "gzip")))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
            Assert.Equal("application/x-protobuf", good.Content.Headers.ContentType?.MediaType);
            Assert.Equal(new ExportMetricsServiceResponse(), ExportMetricsServiceResponse.Parser.ParseFrom(await good.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal([new CohortSummary("cpu", Cohort.Canary, 1, null, null, 0.25)], (await GetAsync()).Summaries);
    }

    [Fact]
    public async Task ExportOtlp_JsonWithUnknownDeploymentAndMetric_200PartialSuccessKnownPartRecorded()
    {
        var request = Request(
            Resource(Id, "baseline", Gauge("cpu", Point(0.75, At(1))), Gauge("memory", Point(1, At(1)))),
            Resource("nobody", "canary", Gauge("cpu", Point(0.1, At(1)), Point(0.2, At(2)))));
        var json = JsonFormatter.Default.Format(request);

        using var response = await _http.PostAsync("/otlp/v1/metrics", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonParser.Default.Parse<ExportMetricsServiceResponse>(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, answer.PartialSuccess.RejectedDataPoints);
        Assert.Contains("nobody", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("memory", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([new CohortSummary("cpu", Cohort.Baseline, 1, null, null, 0.75)], (await GetAsync()).Summaries);
        Assert.Contains("verification_telemetry_rejected_points_total{receiver=\"otlp\"} 3\n", await _http.GetStringAsync("/metrics"),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportOtlp_PointTooFarInTheFuture_200PartialSuccessNothingStored()
    {
        var future = (ulong)(DateTimeOffset.UtcNow.AddHours(1) - DateTimeOffset.UnixEpoch).Ticks * 100;
        var body = Request(Resource(Id, "canary", Gauge("cpu", Point(0.5, future)))).ToByteArray();

        using var response = await _http.PostAsync("/otlp/v1/metrics", Bytes(body, "application/x-protobuf"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedDataPoints);
        Assert.Contains("in the future", answer.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty((await GetAsync()).Summaries);
    }

    public static TheoryData<string> BadRemoteWriteBodies => ["snappy", "protobuf", "content-type", "encoding", "version-2", "too-large"];

    [Theory]
    [MemberData(nameof(BadRemoteWriteBodies))]
    public async Task RemoteWrite_BadBody_4xxWithReasonNothingAppliedStillServing(string bad)
    {
        var (content, status, reason) = bad switch
        {
            "snappy" => (RemoteWriteContent([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), HttpStatusCode.BadRequest, "not a valid snappy block"),
            "protobuf" => (RemoteWriteContent(Snappy.Encode([0x0A, 0xFF, 0x01])), HttpStatusCode.BadRequest, "not a valid prometheus.WriteRequest"),
            "content-type" => (Bytes(Snappy.Encode(WriteBody(1)), "application/json", "snappy"), HttpStatusCode.UnsupportedMediaType,
                "remote write 1.0"),
            "encoding" => (Bytes(Gzip(WriteBody(1)), "application/x-protobuf", "gzip"), HttpStatusCode.UnsupportedMediaType,
                "'gzip' is not supported"),
            "version-2" => (Bytes(Snappy.Encode(WriteBody(1)), "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy"),
                HttpStatusCode.UnsupportedMediaType, "remote write 1.0"),
            _ => (RemoteWriteContent(Snappy.Encode(new byte[MaxBodyBytes * 2])), HttpStatusCode.RequestEntityTooLarge, "exceeds the limit"),
        };

        using (var response = await _http.PostAsync("/prometheus/api/v1/write", content))
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty((await GetAsync()).Summaries);
        using (var good = await _http.PostAsync("/prometheus/api/v1/write", RemoteWriteContent(Snappy.Encode(WriteBody(0.25)))))
        {
            Assert.Equal(HttpStatusCode.NoContent, good.StatusCode);
        }

        Assert.Equal([new CohortSummary("cpu", Cohort.Canary, 1, null, null, 0.25)], (await GetAsync()).Summaries);
    }

    [Fact]
    public async Task RemoteWrite_SameBodyTwice_RecordedOnce()
    {
        var body = Snappy.Encode(WriteBody(0.5));

        for (var i = 0; i < 2; i++)
        {
            using var response = await _http.PostAsync("/prometheus/api/v1/write", RemoteWriteContent(body));
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal([new CohortSummary("cpu", Cohort.Canary, 1, null, null, 0.5)], (await GetAsync()).Summaries);
    }

    [Fact]
    public async Task Push_StorageFails_503RetryRecordsOnce()
    {
        ObservingStorage? storage = null;
        await using var factory = new SiloFactory().WithWebHostBuilder(b =>
            b.ConfigureTestServices(services => services.AddSingleton<IGrainStorage>(sp =>
                storage = new ObservingStorage(sp.GetRequiredService<SqliteGrainStorage>()))));
        using var http = factory.CreateClient();
        using (var register = await http.PostAsJsonAsync("/v1/deployments",
                   new RegisterDeploymentInput(Id, "checkout", "v2", [new MetricInput("cpu", MetricKind.Continuous)]), ContractJson.Options))
        {
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        }

        var write = Snappy.Encode(WriteBody(0.5));
        storage!.FailNextAppend = new IOException("disk gone");
        using (var response = await http.PostAsync("/prometheus/api/v1/write", RemoteWriteContent(write)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        storage!.FailNextAppend = new IOException("disk gone");
        using (var response = await http.PostAsync("/otlp/v1/metrics", Bytes(OtlpBody(0.25), "application/x-protobuf")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            // google.rpc.Status: field 1 (code) = 14 UNAVAILABLE.
            Assert.Equal([0x08, 14], (await response.Content.ReadAsByteArrayAsync())[..2]);
        }

        for (var i = 0; i < 2; i++)
        {
            using var retry = await http.PostAsync("/prometheus/api/v1/write", RemoteWriteContent(write));
            Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        }

        var deployment = (await http.GetFromJsonAsync<Deployment>($"/v1/deployments/{Id}", ContractJson.Options))!;
        Assert.Equal([new CohortSummary("cpu", Cohort.Canary, 1, null, null, 0.5)], deployment.Summaries);
    }

    private async Task<Deployment> GetAsync() =>
        (await _http.GetFromJsonAsync<Deployment>($"/v1/deployments/{Id}", ContractJson.Options))!;

    private static byte[] OtlpBody(double cpu) =>
        Request(Resource(Id, "canary", Gauge("cpu", Point(cpu, NowNanos())))).ToByteArray();

    private static byte[] WriteBody(double cpu)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = "cpu" });
        series.Labels.Add(new Label { Name = "deployment_cohort", Value = "canary" });
        series.Labels.Add(new Label { Name = "deployment_id", Value = Id });
        series.Samples.Add(new Sample { Value = cpu, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000 });
        var request = new WriteRequest();
        request.Timeseries.Add(series);
        return request.ToByteArray();
    }

    private static ulong NowNanos() => (ulong)(DateTimeOffset.UtcNow.AddSeconds(-1) - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static ByteArrayContent RemoteWriteContent(byte[] snappy)
    {
        var content = Bytes(snappy, "application/x-protobuf", "snappy");
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return content;
    }

    private static ByteArrayContent Bytes(byte[] body, string contentType, string? encoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        return content;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return buffer.ToArray();
    }
}
