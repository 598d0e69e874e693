"""CPU per value by where the sampled code lives, from bench/cluster-profile.sh's perf.data (all silos summed).

Usage: python3 bench/cluster-profile.py <output directory of cluster-profile.sh>
Samples at 499 Hz over the 12 s window; values/s from the load generator's line (load.txt).
"""
import collections
import re
import subprocess
import sys

RATE_HZ = 499
WINDOW_S = 12


def category(comm, dso, symbol):
    if "Tiered Com" in comm:
        return "tiered compilation thread"
    if "Server GC" in comm or "BGC" in comm:
        return "GC threads"
    if "clrjit" in dso:
        return "JIT on other threads"
    if "kernel" in dso:
        return "kernel (context switches, loopback TCP, futexes)"
    match = re.search(r"\[([A-Za-z][\w.]*)\]", symbol)
    assembly = match.group(1) if match else dso
    if assembly.startswith("Orleans"):
        return "Orleans"
    if assembly.startswith("Npgsql"):
        return "Npgsql"
    if assembly.startswith("System.Text.Json") or "Utf8Parser" in symbol or "Number::" in symbol or "Number/" in symbol:
        return "JSON and number parsing"
    if assembly.startswith("Verification.Analysis") or "libm" in dso:
        return "the judge (Verification.Analysis, libm)"
    if assembly.startswith("Verification"):
        return "Verification.Api/Silo/Contracts"
    if assembly.startswith("Microsoft.AspNetCore"):
        return "ASP.NET Core"
    if "coreclr" in dso:
        return "runtime (libcoreclr)"
    if assembly.startswith("System"):
        return "other BCL code"
    return "everything else"


def main(directory):
    values_per_second = float(re.search(r"values/s=(\d+)", open(f"{directory}/load.txt").read()).group(1))
    values = values_per_second * WINDOW_S
    report = subprocess.run(
        ["perf", "report", "-i", f"{directory}/perf.data", "-n", "--no-children", "--sort", "comm,dso,sym", "-q", "--stdio",
         "-g", "none", "--percent-limit", "0", "-t", "|"], capture_output=True, text=True, check=True).stdout
    by_category = collections.Counter()
    by_symbol = collections.Counter()
    for line in report.splitlines():
        parts = line.split("|")
        if len(parts) < 5 or not parts[1].strip().isdigit():
            continue
        samples = int(parts[1].strip())
        by_category[category(parts[2], parts[3], parts[4])] += samples
        by_symbol[re.sub(r"\(.*", "", parts[4].strip())[:120]] += samples
    total = sum(by_category.values())

    def per_value(samples):
        return samples / RATE_HZ / values * 1e6

    print(f"{total} samples = {total / RATE_HZ:.1f} CPU s in {WINDOW_S} s; {values_per_second:,.0f} values/s; "
          f"{per_value(total):.3f} µs of silo CPU per value")
    for name, samples in by_category.most_common():
        print(f"  {name:50s} {100 * samples / total:5.1f} %  {per_value(samples):.3f} µs/value")
    print("top symbols:")
    for name, samples in by_symbol.most_common(15):
        print(f"  {per_value(samples):.4f} µs/value  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
