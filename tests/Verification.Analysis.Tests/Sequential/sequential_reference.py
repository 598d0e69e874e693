"""Reference values for RateRatioTestTests and MeanDifferenceTestTests (Python 3.11, SciPy 1.10, Debian 12
python3-scipy): the one-sided discrete mixtures written out independently of the C#, bounds by scipy's brentq.
Run: /usr/bin/python3 sequential_reference.py"""
import numpy as np
from scipy.optimize import brentq
from scipy.special import logsumexp

ALPHA = 0.01
LEVEL = np.log(1 / ALPHA)

# Rate ratio: 24 shifts g geometric from 1.05 to 4, equal weights; D(rho) = xc*rho - k*log(s*e^rho + 1 - s).
LOG_G = np.linspace(np.log(1.05), np.log(4), 24)


def rate(xc, nc, xb, nb):
    s = nc / (nc + nb)
    k = xc + xb
    D = lambda r: xc * r - k * np.logaddexp(np.log(s) + r, np.log(1 - s))
    above = lambda r0: logsumexp(D(r0 + LOG_G) - D(r0)) - np.log(24)
    below = lambda r0: logsumexp(D(r0 - LOG_G) - D(r0)) - np.log(24)
    p = min(1, 2 * min(np.exp(-above(0)), np.exp(-below(0))))
    lo = brentq(lambda r: above(r) - LEVEL, -30, 30, xtol=1e-14) if xc > 0 else -np.inf
    hi = brentq(lambda r: below(r) - LEVEL, -30, 30, xtol=1e-14) if xb > 0 else np.inf
    # Promotion test of H0: r >= 1.5, half the mass on r = 1.
    anchored = np.logaddexp(D(0) - D(np.log(1.5)), below(np.log(1.5))) - np.log(2)
    print(f"rate {xc}/{nc} vs {xb}/{nb}: anchored(log 1.5) {anchored!r}")
    print(f"rate {xc}/{nc} vs {xb}/{nb}: p {p!r} lo {lo!r} hi {hi!r} pAbove(log 1.5) {min(1, np.exp(-above(np.log(1.5))))!r} pAbove(0) {min(1, np.exp(-above(0)))!r}")


# Mean difference: 24 effect sizes d geometric from 0.02 to 2 (units of the pooled s.d.), equal weights.
D_GRID = np.exp(np.linspace(np.log(0.02), np.log(2), 24))


def mean(nc, mc, vc, nb, mb, vb):
    est = mc - mb
    v = vc / nc + vb / nb
    sd = np.sqrt(((nc - 1) * vc + (nb - 1) * vb) / (nc + nb - 2))
    delta = D_GRID * sd
    mix = lambda gap: logsumexp(delta * gap / v - delta**2 / (2 * v)) - np.log(24)
    p = min(1, 2 * min(np.exp(-mix(est)), np.exp(-mix(-est))))
    lo = brentq(lambda d0: mix(est - d0) - LEVEL, est - 100, est, xtol=1e-14)
    hi = brentq(lambda d0: mix(d0 - est) - LEVEL, est, est + 100, xtol=1e-14)
    print(f"mean {nc},{mc},{vc} vs {nb},{mb},{vb}: p {p!r} lo {lo!r} hi {hi!r}")
    # Promotion test of H0: delta >= 1.5, half the mass on delta = 0; its upper bound at alpha.
    anchored = lambda d0: np.logaddexp(d0 * (d0 - est) / v - d0**2 / (2 * v), mix(d0 - est)) - np.log(2)
    hi_anchored = brentq(lambda d0: anchored(d0) - LEVEL, max(est, 1e-9), est + 100, xtol=1e-14)
    print(f"mean anchored(1.5) {anchored(1.5)!r} upper {hi_anchored!r}")


# ln Λ+(0) at equal exposure, the counts an A/A canary read every second can reach early.
for xc, xb in [(15, 2), (25, 8), (14, 1), (9, 0)]:
    k = xc + xb
    D = lambda r: xc * r - k * np.logaddexp(np.log(0.5) + r, np.log(0.5))
    print(f"rate {xc} vs {xb} at equal exposure: log above(0) {logsumexp(D(LOG_G) - D(0)) - np.log(24)!r}")
rate(20, 10000, 0, 10000)
rate(30, 10000, 12, 10000)
rate(7, 3000, 9, 5000)
mean(100, 10.7, 4, 120, 10.0, 9)
