using System.Globalization;
using System.Net;
using System.Text;
using Verification.Api.Contracts;
using Verification.Api.Deployments;
using Verification.Api.Http;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Fuzz;

/// <summary><c>POST /v1/samples</c> with generated and mutated NDJSON: never a 5xx, and what is accepted is counted exactly.</summary>
public sealed class NdjsonSamplesFuzzTests(SiloFactory factory) : IClassFixture<SiloFactory>
{
    private const string Surface = "ndjson";

    private static readonly string[] Deployments = ["fz-a", "fz-b"];

    private static readonly string[] Dictionary =
    [
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "0", "1e308", "-1e308", "9223372036854775807", "9223372036854775808",
        "4.9e-324", "NaN", "\"values\":", "\"count\":", "\"total\":", "\"batchId\":", "\"cohort\":\"CANARY\"", "\"metric\":\"r\"",
        "\"at\":\"2999-01-01T00:00:00Z\"", "\n", "\\u0000", "\"deploymentId\":\"fz-b\"", new string('9', 400),
    ];

    private sealed record Input(byte[] Body, bool Valid, bool Corpus = false);

    [Fact]
    public async Task RecordSamples_FuzzedNdjson_NoServerErrorAndAcceptedCountedExactly()
    {
        await using var silo = new FuzzSilo(factory);
        var http = silo.Http;
        foreach (var id in Deployments)
        {
            await FuzzSilo.RegisterAsync(http, id, new MetricInput("r", MetricKind.Ratio), new MetricInput("c", MetricKind.Continuous));
        }

        var seed = FuzzRun.Seed(1101);
        var mutator = new Mutator(seed);
        var expected = new Dictionary<(string Deployment, string Metric, Cohort Cohort), (long Observations, long Count, long Total)>();
        var known = new HashSet<(string, string)>();

        var definitions = (IReadOnlyList<MetricDefinition>)
            [new("r", MetricKind.Ratio, Direction.Either, false, null, null), new("c", MetricKind.Continuous, Direction.Either, false, null, null)];
        var ran = await FuzzRun.RunAsync(Surface, seed, Inputs(mutator), async (input, index) =>
        {
            // The edge, in process: what the endpoint does before any grain is called.
            try
            {
                var batches = Ndjson.Parse<SamplesInput>(input.Body).Items;
                foreach (var batch in batches)
                {
                    SampleValidation.Validate(batch, Deployments.Contains(batch.DeploymentId) ? definitions : null, DateTimeOffset.UtcNow);
                }

                SampleValidation.CheckCohortTotals(batches, new Dictionary<(string, Cohort), long>(), _ => false);
            }
            catch (Exception e) when (e is NdjsonLineException or InputException)
            {
                Assert.False(input.Valid, e.Message);
            }

            if (index % FuzzRun.HttpEvery != 0 && !input.Corpus)
            {
                return;
            }

            using var content = new ByteArrayContent(input.Body);
            content.Headers.ContentType = new("application/x-ndjson");
            using var response = await http.PostAsync("/v1/samples", content);
            FuzzSilo.NotServerError(response);
            if (input.Valid)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = await FuzzSilo.JsonAsync(response);
                var (accepted, duplicates) = Apply(Ndjson.Parse<SamplesInput>(input.Body).Items, expected, known);
                Assert.Equal(accepted, answer.GetProperty("accepted").GetInt32());
                Assert.Equal(duplicates, answer.GetProperty("duplicates").GetInt32());
            }
        }, input => FuzzRun.Show(FuzzRun.Utf8(input.Body)));

        Assert.True(ran >= FuzzRun.Inputs);
        foreach (var id in Deployments)
        {
            var stored = (await FuzzSilo.SummariesAsync(http, id)).ToDictionary(s => (id, s.Metric, s.Cohort));
            var wanted = expected.Where(e => e.Key.Deployment == id).ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal(wanted.Keys.Order().ToList(), stored.Keys.Order().ToList());
            foreach (var (key, (observations, count, total)) in wanted)
            {
                Assert.Equal(observations, stored[key].Observations);
                if (key.Metric == "r")
                {
                    Assert.Equal(count, stored[key].Count);
                    Assert.Equal(total, stored[key].Total);
                }
            }
        }
    }

    /// <summary>What the service must have done with an accepted request: new batchIds (per deployment) counted once.</summary>
    private static (int Accepted, int Duplicates) Apply(
        List<SamplesInput> batches,
        Dictionary<(string, string, Cohort), (long Observations, long Count, long Total)> expected,
        HashSet<(string, string)> known)
    {
        var accepted = 0;
        var duplicates = 0;
        foreach (var batch in batches)
        {
            if (batch.BatchId is { } id && !known.Add((batch.DeploymentId, id)))
            {
                duplicates++;
                continue;
            }

            accepted++;
            var key = (batch.DeploymentId, batch.Metric, batch.Cohort);
            var (observations, count, total) = expected.GetValueOrDefault(key);
            expected[key] = batch.Values is { } values
                ? (observations + values.Count, count, total)
                : (observations + 1, count + batch.Count!.Value, total + batch.Total!.Value);
        }

        return (accepted, duplicates);
    }

    private static IEnumerable<Input> Inputs(Mutator mutator)
    {
        foreach (var (_, bytes) in FuzzRun.Corpus(Surface))
        {
            yield return new Input(bytes, false, Corpus: true);
        }

        for (var i = 0; i < FuzzRun.Inputs; i++)
        {
            var valid = ValidRequest(mutator);
            yield return mutator.Random.Next(3) == 0
                ? new Input(Encoding.UTF8.GetBytes(valid), true)
                : new Input(mutator.Random.Next(4) == 0
                    ? mutator.Mutate(Encoding.UTF8.GetBytes(valid))
                    : Encoding.UTF8.GetBytes(mutator.Mutate(valid, Dictionary)), false);
        }
    }

    private static string ValidRequest(Mutator mutator)
    {
        var random = mutator.Random;
        var lines = new List<string>();
        for (var i = 1 + random.Next(4); i > 0; i--)
        {
            var deployment = mutator.Pick(Deployments);
            var cohort = random.Next(2) == 0 ? "BASELINE" : "CANARY";
            var batchId = random.Next(10) < 7 ? $",\"batchId\":\"b{random.Next(3_000)}\"" : string.Empty;
            if (random.Next(2) == 0)
            {
                long count = random.Next(1_000);
                var total = count + (random.Next(50) == 0 ? random.NextInt64(1L << 40) : random.Next(1_000));
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"deploymentId\":\"{deployment}\",\"cohort\":\"{cohort}\",\"metric\":\"r\",\"count\":{count},\"total\":{total}{batchId}}}"));
            }
            else
            {
                var values = Enumerable.Range(0, 1 + random.Next(5)).Select(_ => random.Next(20) switch
                {
                    0 => 1e100,
                    1 => -1e100,
                    2 => double.Epsilon,
                    _ => Math.Round(random.NextDouble() * 1_000, 3),
                });
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"deploymentId\":\"{deployment}\",\"cohort\":\"{cohort}\",\"metric\":\"c\",\"values\":[{string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]{batchId}}}"));
            }
        }

        return string.Join("\n", lines);
    }
}
