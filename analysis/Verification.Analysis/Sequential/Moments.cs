namespace Verification.Analysis.Sequential;

/// <summary>
/// Count, mean and variance of a sample, kept as compensated (Neumaier) sums of x and x² so that adding values is
/// O(1) and the result does not depend on the order values arrived in (beyond the last bit of rounding).
/// </summary>
internal struct Moments
{
    private double _sum;
    private double _sumCompensation;
    private double _sumSquares;
    private double _sumSquaresCompensation;

    public long Count { get; private set; }

    public readonly double Mean => Count == 0 ? double.NaN : (_sum + _sumCompensation) / Count;

    /// <summary>Sample variance (n − 1 denominator); 0 for fewer than two values.</summary>
    public readonly double Variance
    {
        get
        {
            if (Count < 2)
            {
                return 0;
            }

            var sum = _sum + _sumCompensation;
            var squares = _sumSquares + _sumSquaresCompensation;
            return Math.Max(0, (squares - (sum * sum / Count)) / (Count - 1));
        }
    }

    public void Add(double value)
    {
        Count++;
        Accumulate(ref _sum, ref _sumCompensation, value);
        Accumulate(ref _sumSquares, ref _sumSquaresCompensation, value * value);
    }

    private static void Accumulate(ref double sum, ref double compensation, double value)
    {
        var total = sum + value;
        compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - total) + value : (value - total) + sum;
        sum = total;
    }
}
