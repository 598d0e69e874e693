using System.Globalization;
using Verification.Silo.Tests.TestSupport;

namespace Verification.Silo.Tests.Ui;

/// <summary>
/// The data the UI tests (and the README screenshots) show, sent through the public GraphQL API only:
/// checkout v41 promoted, checkout v42 rolled back (errors ×4 on the canary), search v7 still collecting, cart v3
/// promoted; an availability SLO of checkout burning at 20× in the last hour (PAGE, gate closed) and a latency SLO of
/// search within budget.
/// </summary>
internal static class UiScenario
{
    public const string AvailabilitySlo = """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: availability, displayName: Checkout availability}
        spec:
          service: checkout
          description: Requests answered without a 5xx.
          indicator:
            metadata: {name: checkout-errors}
            spec:
              ratioMetric:
                counter: true
                good:  {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{code!~"5.."}[1m]))'}}}
                total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total[1m]))'}}}
          timeWindow: [{duration: 28d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{displayName: Good, target: 0.999}]
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: latency, displayName: Search under 300 ms}
        spec:
          service: search
          indicator:
            metadata: {name: search-fast}
            spec:
              ratioMetric:
                counter: true
                good:  {metricSource: {type: Prometheus, spec: {query: 'sum(rate(search_fast_total[1m]))'}}}
                total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(search_total[1m]))'}}}
          timeWindow: [{duration: 30d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """;

    private const string Register = "mutation($i: RegisterDeploymentInput!) { registerDeployment(input: $i) { id } }";
    private const string Record = "mutation($i: SamplesInput!) { recordSamples(input: $i) { accepted } }";
    private const string Events = "mutation($i: SloEventsInput!) { recordSloEvents(input: $i) { accepted } }";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SiloFactory, Task> Seeded = [];

    /// <summary>Seeds the silo of <paramref name="factory"/> once, for the tests of a class that share it.</summary>
    public static Task SeedOnceAsync(SiloFactory factory, HttpClient http)
    {
        lock (Seeded)
        {
            return Seeded.GetValue(factory, _ => SeedAsync(http, DateTimeOffset.UtcNow));
        }
    }

    public static async Task SeedAsync(HttpClient http, DateTimeOffset now)
    {
        var errors = new { name = "errors", kind = "RATIO", direction = "INCREASE", critical = true, allowedChange = 0.2 };
        var latency = new { name = "latency-ms", kind = "CONTINUOUS", direction = "INCREASE", allowedChange = 0.1 };

        await RegisterAsync(http, "checkout-41", "checkout", "v41", "payments", now.AddHours(-30), [errors, latency]);
        await RatioAsync(http, "checkout-41", "BASELINE", 5000, 1_000_000, 10);
        await RatioAsync(http, "checkout-41", "CANARY", 4950, 1_000_000, 10);
        await ValuesAsync(http, "checkout-41", "BASELINE", 120, 3000);
        await ValuesAsync(http, "checkout-41", "CANARY", 119, 3000);

        await RegisterAsync(http, "checkout-42", "checkout", "v42", "payments", now.AddHours(-6), [errors, latency]);
        await RatioAsync(http, "checkout-42", "BASELINE", 10, 10_000, 2);
        await RatioAsync(http, "checkout-42", "CANARY", 40, 10_000, 2);

        await RegisterAsync(http, "search-7", "search", "v7", "discovery", now.AddHours(-10), [latency]);
        await ValuesAsync(http, "search-7", "BASELINE", 80, 50);
        await ValuesAsync(http, "search-7", "CANARY", 81, 50);

        await RegisterAsync(http, "cart-3", "cart", "v3", "shop", now.AddHours(-50), [errors]);
        await RatioAsync(http, "cart-3", "BASELINE", 5000, 1_000_000, 10);
        await RatioAsync(http, "cart-3", "CANARY", 5050, 1_000_000, 10);

        foreach (var (id, status) in new[] { ("checkout-41", "PROMOTED"), ("checkout-42", "ROLLED_BACK"), ("cart-3", "PROMOTED") })
        {
            await MutateAsync(http, "mutation($id: ID!, $s: DeploymentStatus!) { completeDeployment(id: $id, status: $s) { status } }", new { id, s = status });
        }

        await MutateAsync(http, "mutation($y: String!) { applySlo(yaml: $y) { name } }", new { y = AvailabilitySlo });
        for (var hour = 1; hour < 72; hour++)
        {
            await EventsAsync(http, "checkout", "availability", 999_800, 1_000_000, now.AddHours(-hour));
            await EventsAsync(http, "search", "latency", 996_000, 1_000_000, now.AddHours(-hour));
        }

        for (var minute = 0; minute < 60; minute += 5)
        {
            await EventsAsync(http, "checkout", "availability", 98_000, 100_000, now.AddMinutes(-minute));
            await EventsAsync(http, "search", "latency", 99_800, 100_000, now.AddMinutes(-minute));
        }
    }

    public static Task RegisterAsync(HttpClient http, string id, string service, string version, string team, DateTimeOffset commitTime, object[] metrics) =>
        MutateAsync(http, Register, new
        {
            i = new { id, service, version, team, commitSha = "9f2c4e1a7b3d5f60", commitTime = Iso(commitTime), metrics },
        });

    public static async Task RatioAsync(HttpClient http, string id, string cohort, int count, int total, int batches)
    {
        for (var b = 0; b < batches; b++)
        {
            await MutateAsync(http, Record, new { i = new { deploymentId = id, cohort, metric = "errors", count, total } });
        }
    }

    /// <summary>Continuous values around <paramref name="mean"/>: a fixed, symmetric spread (no randomness).</summary>
    public static double[] Values(double mean, int n) => [.. Enumerable.Range(0, n).Select(i => mean + (15 * Math.Sin(i * 0.7)))];

    private static Task ValuesAsync(HttpClient http, string id, string cohort, double mean, int n) =>
        MutateAsync(http, Record, new { i = new { deploymentId = id, cohort, metric = "latency-ms", values = Values(mean, n) } });

    private static Task EventsAsync(HttpClient http, string service, string slo, int good, int total, DateTimeOffset at) =>
        MutateAsync(http, Events, new { i = new { service, slo, good, total, at = Iso(at) } });

    private static async Task MutateAsync(HttpClient http, string query, object variables)
    {
        var document = await http.PostGraphQLAsync(query, variables);
        Assert.False(document.TryGetProperty("errors", out var errors), errors.ToString());
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
