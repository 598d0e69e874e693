using ScottPlot;

namespace Verification.Bench.Canary;

/// <summary>The study's pictures (ScottPlot 5): power curves and time-to-decision CDFs, one line per method.</summary>
internal static class StudyPlots
{
    private const int Width = 900;
    private const int Height = 560;

    public static void Write(IReadOnlyList<StudyResult> results, string directory)
    {
        Power(results, ErrorsAt(500), "power-errors-500.png",
            "Detection vs error-rate ratio (500 requests per cohort per minute, α = 0.01, 60 looks)",
            "canary error rate ÷ baseline error rate", directory);
        Power(results, ErrorsAt(50), "power-errors-50.png",
            "Detection vs error-rate ratio (50 requests per cohort per minute, α = 0.01, 60 looks)",
            "canary error rate ÷ baseline error rate", directory);
        Power(results, n => n.StartsWith("latency +", StringComparison.Ordinal), "power-latency.png",
            "Detection vs latency change (100 values per cohort per minute, α = 0.01, 60 looks)",
            "canary mean latency ÷ baseline mean latency", directory);
        Cdf(results, "errors ×2 at 500/min", promotion: false, "cdf-rollback-errors-x2-500.png",
            "Time to ROLLBACK, errors 1 % → 2 % at 500 requests per cohort per minute", directory);
        Cdf(results, "errors ×1.5 at 500/min", promotion: false, "cdf-rollback-errors-x1.5-500.png",
            "Time to ROLLBACK, errors 1 % → 1.5 % at 500 requests per cohort per minute", directory);
        Cdf(results, "healthy at 2,000/min, allowedChange 0.5", promotion: true, "cdf-promote-healthy.png",
            "Time to PROMOTE, healthy canary at 2,000/min (allowedChange 0.5 errors, 0.1 latency)", directory);
    }

    private static Func<string, bool> ErrorsAt(int requests) =>
        name => name.StartsWith("errors ×", StringComparison.Ordinal) && name.EndsWith($" at {requests}/min", StringComparison.Ordinal);

    private static void Power(IReadOnlyList<StudyResult> results, Func<string, bool> named, string file, string title, string xLabel,
        string directory)
    {
        var curves = results.Where(r => named(r.Scenario.Name) && r.Scenario.EffectSize is not null && !r.Scenario.IsAA)
            .GroupBy(r => r.Method.Name)
            .ToList();
        if (curves.Count == 0)
        {
            return;
        }

        var plot = new Plot();
        foreach (var curve in curves)
        {
            var points = curve.OrderBy(r => r.Scenario.EffectSize).ToList();
            var line = plot.Add.Scatter(points.Select(r => r.Scenario.EffectSize!.Value).ToArray(), points.Select(r => 100.0 * r.Rollbacks / r.Runs).ToArray());
            line.LegendText = curve.Key;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        Finish(plot, title, xLabel, "runs rolled back (%)", Path.Combine(directory, file));
    }

    private static void Cdf(IReadOnlyList<StudyResult> results, string name, bool promotion, string file, string title, string directory)
    {
        var lines = results.Where(r => r.Scenario.Name.StartsWith(name, StringComparison.Ordinal) && !r.Scenario.ReadEverySecond).ToList();
        if (lines.Count == 0)
        {
            return;
        }

        var plot = new Plot();
        foreach (var result in lines)
        {
            var minutes = promotion ? result.PromoteMinutes : result.RollbackMinutes;
            var xs = Enumerable.Range(0, StudyScenario.Looks + 1).Select(t => (double)t).ToArray();
            var ys = xs.Select(t => 100.0 * minutes.Count(m => m <= t) / result.Runs).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = result.Method.Name;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        plot.Axes.SetLimitsX(0, StudyScenario.Looks + 1);
        Finish(plot, title, "minutes (= looks)", promotion ? "runs promoted (%)" : "runs rolled back (%)", Path.Combine(directory, file));
    }

    private static void Finish(Plot plot, string title, string xLabel, string yLabel, string path)
    {
        plot.Title(title, size: 14);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsY(0, 102);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }
}
