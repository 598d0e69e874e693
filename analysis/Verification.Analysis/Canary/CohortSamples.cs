using Verification.Analysis.Sequential;
using Verification.Analysis.Statistics;

namespace Verification.Analysis.Canary;

/// <summary>
/// What one cohort of one metric has sent, reduced to what the configured method needs: sufficient statistics
/// for <see cref="AnalysisMethod.Sequential"/> (event sums; moments and a log histogram), the values themselves
/// for <see cref="AnalysisMethod.MannWhitney"/> (per-batch ratios for ratio metrics, as Kayenta judges them).
/// Every field is a commutative sum or a multiset, so the same batches in any order give the same state.
/// </summary>
internal sealed class CohortSamples(MetricKind kind, AnalysisMethod method)
{
    private Moments _moments;

    public MetricKind Kind => kind;

    /// <summary>Ratio batches received.</summary>
    public long Batches { get; private set; }

    /// <summary>Ratio: sum of counts.</summary>
    public long Count { get; private set; }

    /// <summary>Ratio: sum of totals.</summary>
    public long Total { get; private set; }

    /// <summary>Samples that could not be used: non-finite values, or (Mann–Whitney) ratio batches with total 0.</summary>
    public long Invalid { get; private set; }

    public Moments Moments => _moments;

    /// <summary>What has been ingested, as the API's cohort summary reports it.</summary>
    public CohortSummary Summary(string metric, CohortKind cohort) => kind == MetricKind.Ratio
        ? new CohortSummary(metric, cohort, Batches, Count, Total, null)
        : new CohortSummary(metric, cohort, _moments.Count, null, null, _moments.Count == 0 ? null : _moments.Mean);

    public LogHistogram Histogram { get; } = new();

    /// <summary>Mann–Whitney: the values (or per-batch ratios).</summary>
    public SortedSample Values { get; } = new();

    /// <summary>Observations (continuous) or total events (ratio): the count the verdict reports.</summary>
    public long ReportedCount => kind == MetricKind.Ratio ? Total : UsableCount;

    /// <summary>Whether the cohort has anything the method can judge.</summary>
    public bool HasData => kind == MetricKind.Ratio && method == AnalysisMethod.Sequential ? Total > 0 : UsableCount > 0;

    /// <summary>Values (or per-batch ratios) the method can use.</summary>
    private long UsableCount => kind == MetricKind.Continuous ? _moments.Count : Values.Count;

    public void AddRatio(long count, long total)
    {
        Batches++;
        Count += count;
        Total += total;
        if (method == AnalysisMethod.MannWhitney)
        {
            if (total == 0)
            {
                // Kayenta's default NaN strategy removes the NaN a 0/0 interval produces.
                Invalid++;
            }
            else
            {
                Values.Add(count / (double)total);
            }
        }
    }

    public void AddValues(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                // Removed, as Kayenta's default NaN strategy does; counted so "all unusable" reads as Error, not NoData.
                Invalid++;
                continue;
            }

            // Moments serve the Sequential test and every method's summary; the histogram and the values only their method.
            _moments.Add(value);
            if (method == AnalysisMethod.Sequential)
            {
                Histogram.Add(value);
            }
            else
            {
                Values.Add(value);
            }
        }
    }
}
