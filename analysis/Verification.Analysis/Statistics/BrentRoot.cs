namespace Verification.Analysis.Statistics;

/// <summary>
/// Brent's root finder (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4) with the
/// step rules of R's <c>uniroot</c> (<c>R_zeroin2</c>): the caller supplies f at both ends, the
/// tolerance is <c>2·ε·|b| + tol/2</c>, and inverse quadratic interpolation is tried before bisection.
/// R's Hodges–Lehmann interval roots a step function, so the point returned depends on every step;
/// following the same rules is what lets our intervals match <c>wilcox.test</c> to 1e-6.
/// </summary>
internal static class BrentRoot
{
    public const int DefaultMaxIterations = 1000;

    /// <summary>DBL_EPSILON (2^-52) as R's zeroin uses it; <see cref="double.Epsilon"/> is the smallest subnormal instead.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    public static double Find(Func<double, double> f, double lower, double upper, double fLower, double fUpper, double tolerance,
        int maxIterations = DefaultMaxIterations)
    {
        ArgumentNullException.ThrowIfNull(f);
        double a = lower, b = upper, fa = fLower, fb = fUpper;
        double c = a, fc = fa;
        if (fa == 0.0)
        {
            return a;
        }

        if (fb == 0.0)
        {
            return b;
        }

        for (var iteration = 0; iteration <= maxIterations; iteration++)
        {
            var previousStep = b - a;
            if (Math.Abs(fc) < Math.Abs(fb))
            {
                // Keep b as the best approximation.
                a = b;
                b = c;
                c = a;
                fa = fb;
                fb = fc;
                fc = fa;
            }

            var actualTolerance = (2 * MachineEpsilon * Math.Abs(b)) + (tolerance / 2);
            var newStep = (c - b) / 2;
            if (Math.Abs(newStep) <= actualTolerance || fb == 0.0)
            {
                return b;
            }

            if (Math.Abs(previousStep) >= actualTolerance && Math.Abs(fa) > Math.Abs(fb))
            {
                double p, q;
                var cb = c - b;
                if (a == c)
                {
                    // Two distinct points: secant step.
                    var t1 = fb / fa;
                    p = cb * t1;
                    q = 1.0 - t1;
                }
                else
                {
                    // Inverse quadratic interpolation.
                    q = fa / fc;
                    var t1 = fb / fc;
                    var t2 = fb / fa;
                    p = t2 * ((cb * q * (q - t1)) - ((b - a) * (t1 - 1.0)));
                    q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
                }

                if (p > 0)
                {
                    q = -q;
                }
                else
                {
                    p = -p;
                }

                if (p < ((0.75 * cb * q) - (Math.Abs(actualTolerance * q) / 2)) && p < Math.Abs(previousStep * q / 2))
                {
                    newStep = p / q;
                }
            }

            if (Math.Abs(newStep) < actualTolerance)
            {
                newStep = newStep > 0 ? actualTolerance : -actualTolerance;
            }

            a = b;
            fa = fb;
            b += newStep;
            fb = f(b);
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            {
                c = a;
                fc = fa;
            }
        }

        return b;
    }
}
