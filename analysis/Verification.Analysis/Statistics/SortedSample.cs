namespace Verification.Analysis.Statistics;

/// <summary>
/// Values kept sorted incrementally for rank tests: additions go to an unsorted tail in O(1) each; reading sorts
/// only the tail (k log k) and merges it into the sorted body (O(n + k)). Re-judging after every batch therefore
/// costs O(n + k log k) instead of a full O(n log n) sort, and the sorted order does not depend on arrival order.
/// </summary>
internal sealed class SortedSample
{
    private double[] _sorted = [];
    private readonly List<double> _pending = [];

    public int Count => _sorted.Length + _pending.Count;

    public void Add(double value) => _pending.Add(value);

    /// <summary>The values in ascending order.</summary>
    public double[] Sorted()
    {
        if (_pending.Count == 0)
        {
            return _sorted;
        }

        var tail = _pending.ToArray();
        Array.Sort(tail);
        _pending.Clear();
        var merged = new double[_sorted.Length + tail.Length];
        int i = 0, j = 0, k = 0;
        while (i < _sorted.Length && j < tail.Length)
        {
            merged[k++] = _sorted[i] <= tail[j] ? _sorted[i++] : tail[j++];
        }

        Array.Copy(_sorted, i, merged, k, _sorted.Length - i);
        Array.Copy(tail, j, merged, k + _sorted.Length - i, tail.Length - j);
        _sorted = merged;
        return _sorted;
    }
}
