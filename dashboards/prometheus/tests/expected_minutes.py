#!/usr/bin/env python3
"""Reference computation for checkout-availability.test.yml: when each burn-rate alert fires and resolves.

Scenario (the test's input series, one sample a minute): 1000 requests a minute for three days and more, so every
window up to 3d is full; from minute 4321 to minute 4380 (one hour) 100 of them (10 %) are 5xx. The SLO is checkout/availability of the README: target 0.999 over 28 days, so the
workbook factors 14.4 / 6 / 3 / 1 scale by 28/30 to 13.44 / 5.6 / 2.8 / 0.933333.

Prometheus 2.x rate() over [w] at minute t reads the samples in [t-w, t]. Good and total counters are sampled at the
same instants and are far from zero, so their extrapolation factor is the same and cancels in good/total: the error
ratio over w is the 5xx count of the minutes m with t-w < m <= t divided by 1000 x w.
Run: python3 expected_minutes.py  (prints the first minute each alert fires and the first minute it is resolved).
"""

SCALE = 28 / 30
PAGE = [("1h", "5m", 14.4 * SCALE), ("6h", "30m", 6 * SCALE)]
TICKET = [("1d", "2h", 3 * SCALE), ("3d", "6h", 1 * SCALE)]
MINUTES = {"5m": 5, "30m": 30, "1h": 60, "2h": 120, "6h": 360, "1d": 1440, "3d": 4320}
BUDGET = 1 - 0.999
FIRST_BAD, LAST_BAD = 4321, 4380


def burn(t, window):
    w = MINUTES[window]
    assert t >= w, "every window is full in this scenario"
    bad_minutes = sum(1 for m in range(FIRST_BAD, LAST_BAD + 1) if t - w < m <= t)
    return (100 * bad_minutes / (1000 * w)) / BUDGET


def firing(t, rules):
    # The rules' thresholds are written rounded to 6 decimals (PrometheusRules.Condition).
    return any(burn(t, long) > round(f, 6) and burn(t, short) > round(f, 6) for long, short, f in rules)


for name, rules in (("SloErrorBudgetBurnPage", PAGE), ("SloErrorBudgetBurnTicket", TICKET)):
    states = [firing(t, rules) for t in range(4320, 4320 + 1441)]
    fires = 4320 + states.index(True)
    resolves = fires + states[fires - 4320:].index(False)
    print(f"{name}: fires at {fires}m, resolved at {resolves}m")
