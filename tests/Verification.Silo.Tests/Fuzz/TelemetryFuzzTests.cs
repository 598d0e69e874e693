using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using IronSnappy;
using Verification.Api.Contracts;
using Verification.Silo.Ingestion.Otlp;
using Verification.Silo.Ingestion.RemoteWrite;
using Verification.Silo.Protos.Otlp;
using Verification.Silo.Protos.Prometheus;
using Verification.Silo.Tests.Ingestion.Otlp;
using Verification.Silo.Tests.TestSupport;
using static Verification.Silo.Tests.Ingestion.Otlp.OtlpFixture;

namespace Verification.Silo.Tests.Fuzz;

/// <summary>
/// The push receivers with generated and mutated bodies: OTLP/HTTP protobuf, OTLP/JSON and Prometheus remote write. Every
/// input is decoded and translated in process (a decode error is the only failure allowed); one in
/// <see cref="FuzzRun.HttpEvery"/> also goes through the silo: never a 5xx, and the points of the valid ones, sent to
/// their own deployment, are all stored exactly once.
/// </summary>
public sealed class TelemetryFuzzTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Valid = "fz-push-valid";
    private const string Mutated = "fz-push-mutated";
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly string[] JsonDictionary =
    [
        "{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e308", "\"NaN\"", "\"Infinity\"", "18446744073709551616", "\"asDouble\":",
        "\"asInt\":\"9223372036854775808\"", "\"timeUnixNano\":\"0\"", "\"dataPoints\":[", "\"gauge\":{", "\"sum\":{\"aggregationTemporality\":2,",
        "\"histogram\":{", "\"bucketCounts\":[\"1\",\"2\"]", "\"explicitBounds\":[1e308]", "\"attributes\":[{\"key\":\"deployment.cohort\"",
        new string('[', 200),
    ];

    private sealed record Input(byte[] Body, bool Valid, bool Corpus, int Points);

    private static long _clock = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Distinct, strictly increasing times (one millisecond apart) so that no valid point repeats another.</summary>
    private static long NextMillis() => Interlocked.Increment(ref _clock);

    [Fact]
    public Task ExportOtlp_FuzzedProtobuf_NoServerErrorAndValidPointsStoredOnce() =>
        RunOtlpAsync("otlp-protobuf", 1102, json: false);

    [Fact]
    public Task ExportOtlp_FuzzedJson_NoServerErrorAndValidPointsStoredOnce() =>
        RunOtlpAsync("otlp-json", 1103, json: true);

    private async Task RunOtlpAsync(string surface, int surfaceSeed, bool json)
    {
        await using var silo = new FuzzSilo(factory);
        await RegisterAsync(silo.Http);
        var seed = FuzzRun.Seed(surfaceSeed);
        var mutator = new Mutator(seed);
        var translator = Translator(out _);
        long expected = 0;
        var contentType = json ? "application/json" : "application/x-protobuf";

        var ran = await FuzzRun.RunAsync(surface, seed, OtlpInputs(surface, mutator, json), async (input, index) =>
        {
            try
            {
                var request = json ? OtlpDecoder.DecodeJson(input.Body) : OtlpDecoder.DecodeProtobuf(input.Body);
                translator.Translate(request, _ => Target);
            }
            catch (TelemetryDecodeException e)
            {
                Assert.False(input.Valid, e.Message);
            }

            if (index % FuzzRun.HttpEvery != 0 && !input.Corpus)
            {
                return;
            }

            using var content = new ByteArrayContent(input.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await silo.Http.PostAsync("/otlp/v1/metrics", content);
            FuzzSilo.NotServerError(response);
            if (input.Valid)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                expected += input.Points;
            }
        }, input => FuzzRun.Show(input.Body));

        Assert.True(ran >= FuzzRun.Inputs);
        await AssertStoredAsync(silo.Http, expected);
    }

    [Fact]
    public async Task RemoteWrite_FuzzedBodies_NoServerErrorAndValidSamplesStoredOnce()
    {
        const string Surface = "remote-write";
        await using var silo = new FuzzSilo(factory);
        await RegisterAsync(silo.Http);
        var seed = FuzzRun.Seed(1104);
        var mutator = new Mutator(seed);
        var options = new TelemetryIngestionOptions();
        var translator = new RemoteWriteTranslator(new CumulativeDeltaConverter(options, new ManualTimeProvider(StartedAt)), options);
        long expected = 0;

        var ran = await FuzzRun.RunAsync(Surface, seed, RemoteWriteInputs(mutator), async (input, index) =>
        {
            try
            {
                translator.Translate(RemoteWriteDecoder.Decode(input.Body, MaxBodyBytes), _ => Target);
            }
            catch (TelemetryDecodeException e)
            {
                Assert.False(input.Valid, e.Message);
            }

            if (index % FuzzRun.HttpEvery != 0 && !input.Corpus)
            {
                return;
            }

            using var content = new ByteArrayContent(input.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            using var response = await silo.Http.PostAsync("/prometheus/api/v1/write", content);
            FuzzSilo.NotServerError(response);
            if (input.Valid)
            {
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                expected += input.Points;
            }
        }, input => FuzzRun.Show(input.Body));

        Assert.True(ran >= FuzzRun.Inputs);
        await AssertStoredAsync(silo.Http, expected);
    }

    private static async Task RegisterAsync(HttpClient http)
    {
        foreach (var id in new[] { Valid, Mutated })
        {
            await FuzzSilo.RegisterAsync(http, id, new MetricInput("cpu", MetricKind.Continuous), new MetricInput("errors", MetricKind.Ratio));
        }
    }

    private static async Task AssertStoredAsync(HttpClient http, long expected)
    {
        Assert.True(expected > 0, "no valid input went over HTTP");
        var stored = await FuzzSilo.SummariesAsync(http, Valid);
        Assert.Equal(expected, stored.Where(s => s.Metric == "cpu").Sum(s => s.Observations));
    }

    private static ExportMetricsServiceRequest OtlpRequest(Mutator mutator, string deployment, out int points)
    {
        points = 1 + mutator.Random.Next(3);
        var values = Enumerable.Range(0, points)
            .Select(_ => Point(Math.Round(mutator.Random.NextDouble() * 100, 3), (ulong)NextMillis() * 1_000_000))
            .ToArray();
        return Request(Resource(deployment, mutator.Random.Next(2) == 0 ? "canary" : "baseline", Gauge("cpu", values)));
    }

    private static IEnumerable<Input> OtlpInputs(string surface, Mutator mutator, bool json)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus(surface))
        {
            yield return new Input(bytes, false, true, 0);
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            if (mutator.Random.Next(3) == 0)
            {
                var request = OtlpRequest(mutator, Valid, out var points);
                yield return new Input(json ? System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(request)) : request.ToByteArray(), true, false, points);
                continue;
            }

            var seed = OtlpRequest(mutator, Mutated, out _);
            yield return new Input(json
                ? System.Text.Encoding.UTF8.GetBytes(mutator.Mutate(JsonFormatter.Default.Format(seed), JsonDictionary))
                : mutator.Mutate(seed.ToByteArray()), false, false, 0);
        }
    }

    private static WriteRequest WriteRequest(Mutator mutator, string deployment, out int samples)
    {
        samples = 1 + mutator.Random.Next(3);
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = "cpu" });
        series.Labels.Add(new Label { Name = "deployment_cohort", Value = mutator.Random.Next(2) == 0 ? "canary" : "baseline" });
        series.Labels.Add(new Label { Name = "deployment_id", Value = deployment });
        for (var i = 0; i < samples; i++)
        {
            series.Samples.Add(new Sample { Value = Math.Round(mutator.Random.NextDouble() * 100, 3), Timestamp = NextMillis() });
        }

        var request = new WriteRequest();
        request.Timeseries.Add(series);
        return request;
    }

    private static IEnumerable<Input> RemoteWriteInputs(Mutator mutator)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus("remote-write"))
        {
            yield return new Input(Snappy.Encode(bytes), false, true, 0);
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            switch (mutator.Random.Next(3))
            {
                case 0:
                    var valid = WriteRequest(mutator, Valid, out var samples);
                    yield return new Input(Snappy.Encode(valid.ToByteArray()), true, false, samples);
                    break;
                case 1:
                    // The protobuf mutated, then compressed: the parser sees the damage.
                    yield return new Input(Snappy.Encode(mutator.Mutate(WriteRequest(mutator, Mutated, out _).ToByteArray())), false, false, 0);
                    break;
                default:
                    // The snappy block itself mutated.
                    yield return new Input(mutator.Mutate(Snappy.Encode(WriteRequest(mutator, Mutated, out _).ToByteArray())), false, false, 0);
                    break;
            }
        }
    }
}
