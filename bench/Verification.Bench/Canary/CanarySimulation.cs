using System.Diagnostics;
using System.Globalization;
using Verification.Analysis.Canary;
using Verification.Analysis.Simulation;

namespace Verification.Bench.Canary;

/// <summary>
/// `canary-sim`: the canary study. Every run draws one rollout's data (60 one-minute looks) and hands the same data
/// to every method, so peers are compared on identical traffic: the SEQUENTIAL judge (today's default), the SEQUENTIAL
/// judge before the one-sided mixtures (error-ratio cases), Kayenta-style Mann–Whitney re-run at every look (98 %), the
/// same with α cut until its A/A false-rollback rate matches SEQUENTIAL's in the same traffic pattern, a fixed-horizon
/// test read once at the end, and Wald's SPRT told the true effect. Options: <c>--runs N</c> (default 500; latency,
/// heavier-tail and read-every-second cases use N/5), <c>--seed S</c>, <c>--threads T</c> (default 2),
/// <c>--plots DIR</c> (default bench/plots), <c>--only TEXT</c> (cases whose group contains TEXT), <c>--case TEXT</c> (cases whose
/// name contains TEXT), <c>--method TEXT</c> (methods whose name contains TEXT; the α-matched Kayenta peer needs SEQUENTIAL).
/// </summary>
public static class CanarySimulation
{
    private static readonly double[] MatchedAlphaLadder =
        [0.02, 0.01, 0.005, 0.002, 0.001, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5, 5e-6, 2e-6, 1e-6, 5e-7, 2e-7, 1e-7];

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var runs = Option(args, "--runs", 500);
        var seed = Option(args, "--seed", 1);
        var threads = Option(args, "--threads", 2);
        var plots = TextOption(args, "--plots") ?? Path.Combine("bench", "plots");
        var only = TextOption(args, "--only");
        var caseFilter = TextOption(args, "--case");
        var methodFilter = TextOption(args, "--method");
        if (runs < 1 || threads < 1)
        {
            Console.Error.WriteLine("--runs and --threads must be at least 1");
            return 2;
        }

        var total = Stopwatch.StartNew();
        var study = new Study(seed, threads);
        var groups = StudyCases.Groups(runs)
            .Where(g => only is null || g.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
            .Select(g => g with
            {
                Cases = [.. g.Cases.Where(c => Matches(c.Scenario.Name, caseFilter))],
                Methods = [.. g.Methods.Where(m => Matches(m.Name, methodFilter))],
            })
            .Where(g => g.Cases.Count > 0)
            .ToList();
        Console.WriteLine("| case | method | runs | rollback | promote | median / p90 looks to rollback | median looks to promote |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        var results = new List<StudyResult>();
        var matched = new List<string>();
        foreach (var group in groups)
        {
            var groupResults = new List<StudyResult>();
            foreach (var (scenario, caseRuns) in group.Cases)
            {
                foreach (var method in group.Methods.Where(m => m.Applies(scenario)))
                {
                    groupResults.Add(study.Measure(scenario, method, caseRuns));
                }
            }

            if (group.MatchKayenta
                && groupResults.FirstOrDefault(r => (group.MatchOn is null ? r.Scenario.IsAA : r.Scenario.Name == group.MatchOn)
                    && r.Method is JudgeMethod { Name: Study.Ours }) is { } ours)
            {
                // Kayenta-style with α cut until its A/A false-rollback rate is at most SEQUENTIAL's in the same runs.
                // Cutting α alone cannot (see MannWhitneyNeedsPValue), so the cut peer also needs p ≤ α.
                var aa = ours.Scenario;
                var tried = new List<string>();
                var cut = MatchedAlphaLadder.Select(a => (Alpha: a, Result: study.Measure(aa, Kayenta(a, needsPValue: true), ours.Runs)))
                    .TakeWhile(x => tried.Count == 0 || !tried[^1].EndsWith('✓'))
                    .Select(x =>
                    {
                        tried.Add(string.Create(CultureInfo.InvariantCulture, $"{x.Alpha:G3}: {Rate(x.Result.Rollbacks, x.Result.Runs)}")
                            + (x.Result.Rollbacks <= ours.Rollbacks ? " ✓" : ""));
                        return x;
                    })
                    .ToList()[^1];
                var alone = group.Name.Contains("at 500", StringComparison.Ordinal)
                    ? string.Join(", ", ((double[])[1e-3, 1e-5, 1e-7]).Select(a =>
                        string.Create(CultureInfo.InvariantCulture, $"{a:G3}: {Rate(study.Measure(aa, Kayenta(a), ours.Runs).Rollbacks, ours.Runs)}")))
                    : "";
                matched.Add($"| {group.Name} | {Rate(ours.Rollbacks, ours.Runs)} | {string.Join(", ", tried)} | {alone} |");
                groupResults.Add(cut.Result);
                foreach (var (scenario, caseRuns) in group.Cases.Where(c => c.Scenario != aa))
                {
                    groupResults.Add(study.Measure(scenario, Kayenta(cut.Alpha, needsPValue: true), caseRuns));
                }
            }

            foreach (var result in groupResults.OrderBy(r => group.Cases.FindIndex(c => c.Scenario == r.Scenario)))
            {
                Console.WriteLine(result.Row());
            }

            results.AddRange(groupResults);
        }

        Console.WriteLine();
        Console.WriteLine("| traffic pattern | SEQUENTIAL's A/A false rollbacks | Kayenta-style with p ≤ α: α tried, its A/A false rollbacks (✓ = matched) | α cut alone (Kayenta's rule) |");
        Console.WriteLine("|---|---:|---|---|");
        matched.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine("| A/A case | method | runs | false rollbacks | 95 % Clopper–Pearson interval |");
        Console.WriteLine("|---|---|---:|---:|---|");
        foreach (var aa in results.Where(r => r.Scenario.IsAA))
        {
            var (low, high) = ClopperPearson(aa.Rollbacks, aa.Runs, 0.05);
            var interval = string.Create(CultureInfo.InvariantCulture, $"{100 * low:0.00} % – {100 * high:0.00} %");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {aa.Scenario.Name} | {aa.Method.Name} | {aa.Runs} | {Rate(aa.Rollbacks, aa.Runs)} | {interval} |"));
        }

        Directory.CreateDirectory(plots);
        StudyPlots.Write(results, plots);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {total.Elapsed.TotalSeconds:0} s; plots in {plots}"));
        return 0;
    }

    internal static JudgeMethod Kayenta(double alpha, bool needsPValue = false) => new(
        needsPValue ? string.Create(CultureInfo.InvariantCulture, $"Kayenta-style, α matched ({alpha:G3}, p ≤ α)")
            : alpha == 1 - MannWhitneyJudge.ConfidenceLevel ? "Kayenta-style MWU every look (98 %)"
            : string.Create(CultureInfo.InvariantCulture, $"Kayenta-style, α cut to {alpha:G3}"),
        AnalysisMethod.MannWhitney,
        1 - alpha,
        needsPValue);

    /// <summary>The exact (Clopper–Pearson 1934) two-sided interval for a binomial proportion: Beta quantiles at
    /// <paramref name="level"/>/2 and 1 − <paramref name="level"/>/2 with shapes (x, n − x + 1) and (x + 1, n − x).</summary>
    internal static (double Low, double High) ClopperPearson(int count, int runs, double level) => (
        count == 0 ? 0 : MathNet.Numerics.Distributions.Beta.InvCDF(count, runs - count + 1, level / 2),
        count == runs ? 1 : MathNet.Numerics.Distributions.Beta.InvCDF(count + 1, runs - count, 1 - (level / 2)));

    private static bool Matches(string name, string? filter) => filter is null || name.Contains(filter, StringComparison.OrdinalIgnoreCase);

    internal static string Rate(int count, int runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{100.0 * count / runs:0.0} % ({count})");

    private static int Option(string[] args, string name, int fallback) =>
        TextOption(args, name) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string? TextOption(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}

/// <summary>A group of cases judged by the same methods; Kayenta's α is matched on the group's A/A case, or on the case
/// named <paramref name="MatchOn"/> (the rollback test's null boundary when an allowedChange is set).</summary>
internal sealed record StudyGroup(string Name, List<(StudyScenario Scenario, int Runs)> Cases, IReadOnlyList<IStudyMethod> Methods, bool MatchKayenta,
    string? MatchOn = null);

/// <summary>What one method did over the runs of one case.</summary>
/// <param name="RollbackMinutes">Minutes to the rollback, for runs that rolled back before any promotion.</param>
/// <param name="PromoteMinutes">Minutes to the promotion, for runs that promoted before any rollback.</param>
internal sealed record StudyResult(StudyScenario Scenario, IStudyMethod Method, int Runs, List<double> RollbackMinutes, List<double> PromoteMinutes,
    int Rollbacks, double WallSeconds)
{
    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Scenario.Name} | {Method.Name} | {Runs} | {CanarySimulation.Rate(Rollbacks, Runs)} | {CanarySimulation.Rate(PromoteMinutes.Count, Runs)} | {Quantile(RollbackMinutes, 0.5)} / {Quantile(RollbackMinutes, 0.9)} | {Quantile(PromoteMinutes, 0.5)} |");

    /// <summary>The q-quantile (lower) of the minutes, "–" when none.</summary>
    public static string Quantile(List<double> minutes, double q)
    {
        if (minutes.Count == 0)
        {
            return "–";
        }

        var sorted = minutes.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(q * sorted.Count))].ToString("0.##", CultureInfo.InvariantCulture);
    }
}

/// <summary>Runs a method over seeded runs of a case.</summary>
internal sealed class Study(int seed, int threads)
{
    public const string Ours = "SEQUENTIAL (new default)";

    /// <summary>
    /// Feeds each run's slices to a fresh judge and reads it after every slice. A/A cases read on after a promotion
    /// (a rollback at any read counts as false); otherwise the run ends at the first rollback or promotion, as a CD
    /// tool acting on the verdict would.
    /// </summary>
    public StudyResult Measure(StudyScenario scenario, IStudyMethod method, int runs)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new (double? Rollback, double? Promote)[runs];
        Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = threads }, run =>
        {
            var slices = scenario.Draw(seed + run);
            var judge = method.Start(scenario);
            double? promoted = null;
            for (var read = 1; read <= slices.Length; read++)
            {
                var minutes = read / (double)scenario.ReadsPerLook;
                var decision = judge(slices[read - 1], TimeSpan.FromMinutes(minutes));
                if (decision == CanaryDecision.Promote && TimeSpan.FromMinutes(minutes) < (scenario.MinDuration ?? TimeSpan.Zero))
                {
                    // Every method waits for the minimum duration before promoting, as the shipped judge does.
                    decision = CanaryDecision.Pending;
                }

                if (decision == CanaryDecision.Rollback)
                {
                    outcomes[run] = (minutes, promoted);
                    return;
                }

                if (decision == CanaryDecision.Promote && promoted is null)
                {
                    promoted = minutes;
                    if (!scenario.IsAA)
                    {
                        break;
                    }
                }
            }

            outcomes[run] = (null, promoted);
        });

        return new StudyResult(
            scenario,
            method,
            runs,
            outcomes.Where(o => o.Rollback is not null && o.Promote is null).Select(o => o.Rollback!.Value).ToList(),
            outcomes.Where(o => o.Promote is not null && (scenario.IsAA || o.Rollback is null)).Select(o => o.Promote!.Value).ToList(),
            outcomes.Count(o => o.Rollback is not null && (scenario.IsAA || o.Promote is null)),
            clock.Elapsed.TotalSeconds);
    }
}

/// <summary>The cases of the study (α = 0.01, 60 one-minute looks).</summary>
internal static class StudyCases
{
    private static readonly double LatencyMean = 100 * Math.Exp(0.3 * 0.3 / 2);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(StudyScenario.Looks);

    public static IEnumerable<StudyGroup> Groups(int runs)
    {
        var few = Math.Max(1, runs / 5);
        IStudyMethod ours = new JudgeMethod(Study.Ours, AnalysisMethod.Sequential);
        IStudyMethod before = new NormalMixtureMethod();
        IStudyMethod kayenta = CanarySimulation.Kayenta(1 - MannWhitneyJudge.ConfidenceLevel);
        IStudyMethod fixedOnce = new FixedHorizonMethod(everyLook: false);
        IStudyMethod fixedEach = new FixedHorizonMethod(everyLook: true);
        IStudyMethod oracle = new OracleMethod();
        IStudyMethod[] all = [ours, before, kayenta, fixedOnce, oracle];

        foreach (var requests in (int[])[50, 200, 500, 2000])
        {
            var cases = new[] { 1, 1.2, 1.5, 2, 3 }.Select(r => (ErrorCase($"errors ×{r} at {requests}/min", requests, 0.01, 0.01 * r, null, r), runs)).ToList();
            if (requests == 500)
            {
                cases.Add((ErrorCase("zero-error baseline, canary 0.2 % at 500/min", 500, 0, 0.002, null, null), runs));
            }

            yield return new StudyGroup($"errors at {requests} requests/min", cases, all, MatchKayenta: true);
        }

        Func<int, double> ramp = look => Math.Min(1, 0.05 + (0.19 * ((look - 1) / 10)));
        yield return new StudyGroup(
            "errors, canary traffic ramping 5 % → 100 % (500/min)",
            [
                (ErrorCase("A/A, ramp", 500, 0.01, 0.01, null, 1) with { CanaryTraffic = ramp }, runs),
                (ErrorCase("errors ×2, ramp", 500, 0.01, 0.02, null, 2) with { CanaryTraffic = ramp }, runs),
            ],
            all,
            MatchKayenta: true);

        yield return new StudyGroup(
            "errors with allowedChange 0.5 (500/min)",
            new[] { 1, 1.5, 2, 3 }.Select(r => (ErrorCase($"errors ×{r}, allowedChange 0.5", 500, 0.01, 0.01 * r, 0.5, r), runs)).ToList(),
            all,
            MatchKayenta: true,
            MatchOn: "errors ×1.5, allowedChange 0.5");

        yield return new StudyGroup(
            "separate knobs: roll back on any shown increase, promote within +50 % (500/min)",
            new[] { 1, 1.2, 1.5, 2, 3 }.Select(r => (ErrorCase($"errors ×{r}, promotionMargin 0.5", 500, 0.01, 0.01 * r, null, r) with
            {
                Errors = new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true, PromotionMargin: 0.5),
            }, runs)).ToList(),
            [ours, fixedOnce, oracle],
            MatchKayenta: false);

        // The mean test with ¾ of a latency metric's rollback α (the tail test ¼) instead of half each: a peer, not the default.
        IStudyMethod oursMeanHeavy = new JudgeMethod("SEQUENTIAL, mean test ¾ of latency α", AnalysisMethod.Sequential, meanShare: 0.75);
        IStudyMethod[] noBefore = [ours, oursMeanHeavy, kayenta, fixedOnce, oracle];
        yield return new StudyGroup(
            "latency, 100 values/min, no promotion (detection only)",
            new[] { 0, 0.05, 0.10, 0.25 }.Select(d => (LatencyCase(d == 0 ? "latency A/A" : $"latency +{d * 100:0} %", d) with { MinDuration = Window }, few)).ToList(),
            noBefore,
            MatchKayenta: true);

        yield return new StudyGroup(
            "heavier latency tail, equal median (100 values/min, minDuration 30 min)",
            [
                (TailCase("N(100, 10²) A/A", heavier: false) with { MinDuration = TimeSpan.FromMinutes(30) }, few),
                (TailCase("heavier tail, equal median", heavier: true) with { MinDuration = TimeSpan.FromMinutes(30) }, few),
            ],
            noBefore,
            MatchKayenta: true);

        IStudyMethod[] promotion = [ours, kayenta, fixedEach, fixedOnce, oracle];
        yield return new StudyGroup(
            "healthy canary, promotion",
            [
                (HealthyCase("healthy at 2,000/min, allowedChange 0.5 errors / 0.1 latency", 0.5, 0.1), runs),
                (HealthyCase("healthy at 2,000/min, no allowedChange (margins 10 %)", null, null), runs),
            ],
            [.. promotion, before],
            MatchKayenta: false);

        IStudyMethod[] everySecond = [ours, before, fixedOnce, oracle];
        yield return new StudyGroup(
            "read every second",
            [
                (ErrorCase("A/A at 50/min, read every second", 50, 0.01, 0.01, null, null) with { ReadEverySecond = true }, few),
                (ErrorCase("A/A at 500/min, read every second", 500, 0.01, 0.01, null, null) with { ReadEverySecond = true }, few),
                (ErrorCase("A/A at 2,000/min, read every second", 2000, 0.01, 0.01, null, null) with { ReadEverySecond = true }, few),
                (ErrorCase("A/A ramp, read every second", 500, 0.01, 0.01, null, null) with { CanaryTraffic = ramp, ReadEverySecond = true }, few),
                (LatencyCase("latency A/A, read every second", 0) with { ReadEverySecond = true }, few),
                (ErrorCase("errors ×2 at 500/min, read every second", 500, 0.01, 0.02, null, null) with { ReadEverySecond = true }, few),
            ],
            everySecond,
            MatchKayenta: false);
    }

    private static StudyScenario ErrorCase(string name, int requests, double baseline, double canary, double? allowed, double? effect) => new(
        "errors",
        name,
        Errors: new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true, AllowedChange: allowed),
        Requests: requests,
        BaselineRate: baseline,
        CanaryRate: canary,
        EffectSize: effect);

    private static StudyScenario LatencyCase(string name, double change) => new(
        "latency",
        name,
        Latency: new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Increase, Critical: true),
        Values: 100,
        BaselineDraw: Scenarios.Latency,
        CanaryDraw: change == 0 ? Scenarios.Latency : r => (1 + change) * Scenarios.Latency(r),
        TrueLatencyShift: change * LatencyMean,
        EffectSize: 1 + change);

    private static StudyScenario TailCase(string name, bool heavier)
    {
        static double Baseline(Random r) => 100 + (10 * Rollout.Normal(r));
        return new StudyScenario(
            "tail",
            name,
            Latency: new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Increase, Critical: true),
            Values: 100,
            BaselineDraw: Baseline,
            CanaryDraw: heavier ? r => 100 + ((r.NextDouble() < 0.1 ? 25 : 7) * Rollout.Normal(r)) : Baseline,
            TrueLatencyShift: heavier ? null : 0);
    }

    private static StudyScenario HealthyCase(string name, double? errorsAllowed, double? latencyAllowed) => new(
        "healthy",
        name,
        Errors: new CanaryMetric("errors", MetricKind.Ratio, MetricDirection.Increase, Critical: true, AllowedChange: errorsAllowed),
        Requests: 2000,
        BaselineRate: 0.01,
        CanaryRate: 0.01,
        Latency: new CanaryMetric("latency", MetricKind.Continuous, MetricDirection.Increase, Critical: true, AllowedChange: latencyAllowed),
        Values: 100,
        BaselineDraw: Scenarios.Latency,
        CanaryDraw: Scenarios.Latency,
        TrueLatencyShift: 0);
}
