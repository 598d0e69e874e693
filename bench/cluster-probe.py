#!/usr/bin/env python3
"""Measurements for bench/cluster-ingest.sh: where the cost of a run goes.

  cluster-probe.py snapshot OUT.json --pids P1,P2 --urls U1,U2 --pgdata DIR --pgport PORT --db NAME [--at end]
      CPU seconds so far of each silo process (utime+stime from /proc/<pid>/stat), of PostgreSQL (the postmaster and its
      children, with the CPU of children already exited, cutime+cstime), each silo's Orleans counters from /metrics, and
      PostgreSQL's xact_commit of NAME, next transaction id and WAL position. Any of --pids/--urls may be empty.
  cluster-probe.py report IDLE0 LOAD0 SILOS1 PG1 LOADLINE SILOS
      The run's figures from four snapshots (before the idle pause, right before the load, right after it, after the silos
      stopped: for xact_commit only) and the load generator's line; prints two lines for the run and one JSON line (prefixed 'json ').
  cluster-probe.py summary RUNS.jsonl
      The ready-to-paste table of all runs and the medians of the per-value figures.
"""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")

# Orleans' meter (Microsoft.Orleans) as /metrics exposes it through the silo's MeterBridge.
APP_REQUESTS = "orleans_app_requests_latency_seconds_count"  # grain calls answered, made from this silo (local or remote)
SENT_LOCAL = "orleans_messaging_sent_local_total"  # messages this silo delivered to an activation in its own process
NET_SENT_PREFIX = "orleans_messaging_sent_messages_size"  # histogram: one observation per message sent over a socket


def proc_cpu(pid, children=False):
    """utime+stime (and cutime+cstime: children waited for) of a process in seconds; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def children_of(parent):
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                kids.append(int(name))
    return kids


def postgres_cpu(pgdata):
    with open(os.path.join(pgdata, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    total = proc_cpu(postmaster, children=True) or 0.0
    for kid in children_of(postmaster):
        total += proc_cpu(kid, children=True) or 0.0
    return total


def orleans_counters(url):
    text = urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=30).read().decode()
    out = {"app_requests": 0.0, "sent_local": 0.0, "net_messages": 0.0, "net_bytes": 0.0}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        name = line.split("{", 1)[0].split(" ", 1)[0]
        value = float(line.rsplit(" ", 1)[1])
        if name == APP_REQUESTS:
            out["app_requests"] += value
        elif name == SENT_LOCAL:
            out["sent_local"] += value
        elif name.startswith(NET_SENT_PREFIX) and name.endswith("_count"):
            out["net_messages"] += value
        elif name.startswith(NET_SENT_PREFIX) and name.endswith("_sum"):
            out["net_bytes"] += value
    return out


def psql(port, sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-Atc", sql],
                          check=True, capture_output=True, text=True).stdout.split()


def lsn_bytes(lsn):
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def snapshot(argv):
    out, args = argv[0], dict(zip(argv[1::2], argv[2::2]))
    pids = [int(p) for p in args.get("--pids", "").split(",") if p]
    urls = [u for u in args.get("--urls", "").split(",") if u]

    def clock():
        return {"time": time.monotonic(), "silo_cpu": [proc_cpu(p) for p in pids], "pg_cpu": postgres_cpu(args["--pgdata"])}

    # The clock and the CPU are read as close to the load as can be: last before it (--at end), first after it; what the
    # snapshot itself costs (a /metrics scrape, psql) then falls outside the window.
    snap = {} if args.get("--at") == "end" else clock()
    snap["orleans"] = [orleans_counters(u) for u in urls]
    # xact_commit: every committed transaction of the benchmark database, read-only ones included (the statistics reach
    # the view within a second or so; the last snapshot is taken after the silos' connections closed, which flushes them).
    # Next transaction id: transactions that wrote anything, in the whole server, counted at once.
    commits, xid, lsn = psql(args["--pgport"],
                             f"select coalesce((select xact_commit from pg_stat_database where datname = '{args['--db']}'), 0),"
                             " pg_snapshot_xmax(pg_current_snapshot()), pg_current_wal_lsn()")[0].split("|")
    snap.update(commits=int(commits), xid=int(xid), wal=lsn_bytes(lsn))
    if args.get("--at") == "end":
        snap.update(clock())
    with open(out, "w") as f:
        json.dump(snap, f)


def load_line(line):
    return {k: v for k, v in (part.split("=", 1) for part in line.split() if "=" in part)}


def report(argv):
    idle0, load0, silos1, pg1 = (json.load(open(p)) for p in argv[:4])
    line, silos = argv[4], int(argv[5])
    gen = load_line(line)
    values = float(gen["values/s"]) * float(gen["seconds"])
    requests = int(gen["requests"]) - int(gen["failures"])
    idle_s = load0["time"] - idle0["time"]
    load_s = silos1["time"] - load0["time"]

    silo_idle = [(b - a) / idle_s for a, b in zip(idle0["silo_cpu"], load0["silo_cpu"])]
    pg_idle = (load0["pg_cpu"] - idle0["pg_cpu"]) / idle_s
    # The window can outlast the load by the time the after-hook takes to start: that excess is taken off at the idle rate.
    excess = max(0.0, load_s - float(gen["seconds"]))
    silo_cpu = [b - a - idle * excess for a, b, idle in zip(load0["silo_cpu"], silos1["silo_cpu"], silo_idle)]
    pg_cpu = silos1["pg_cpu"] - load0["pg_cpu"] - pg_idle * excess
    client_cpu = float(gen.get("client-cpu-s", "nan"))

    def delta(key, a, b):
        return sum(y[key] - x[key] for x, y in zip(a["orleans"], b["orleans"]))

    grain_calls = delta("app_requests", load0, silos1)
    net_idle = delta("net_messages", idle0, load0) / idle_s
    # Background messages between the silos (membership probes, directory) at the idle rate, taken off the load's.
    net_messages = max(0.0, delta("net_messages", load0, silos1) - net_idle * load_s)
    net_bytes = delta("net_bytes", load0, silos1)
    # xact_commit reaches the view late, so it is read after the silos stopped; the commits of the silos' idle chatter
    # after the load (webhook polls, membership) are taken off at the idle rate. Writing transactions and WAL are exact.
    idle_commits = (load0["commits"] - idle0["commits"]) / idle_s
    commits = round(pg1["commits"] - load0["commits"] - idle_commits * (pg1["time"] - silos1["time"]))
    writes = silos1["xid"] - load0["xid"]
    wal = silos1["wal"] - load0["wal"]

    per_value = lambda seconds: seconds / values * 1e6 if values else float("nan")  # noqa: E731 µs per value
    per_request = lambda n: n / requests if requests else float("nan")  # noqa: E731
    row = {
        "silos": silos, "values_per_s": float(gen["values/s"]), "requests": requests, "failures": int(gen["failures"]),
        "load_s": load_s, "silo_cpu_s": silo_cpu, "pg_cpu_s": pg_cpu, "client_cpu_s": client_cpu,
        "silo_idle_ms_per_s": [1000 * x for x in silo_idle], "pg_idle_ms_per_s": 1000 * pg_idle,
        "net_idle_msgs_per_s": net_idle, "idle_commits_per_s": idle_commits,
        "silo_us_per_value": per_value(sum(silo_cpu)), "pg_us_per_value": per_value(pg_cpu),
        "client_us_per_value": per_value(client_cpu),
        "grain_calls_per_request": per_request(grain_calls), "hops_per_request": per_request(net_messages / 2),
        "net_kb_per_request": per_request(net_bytes / 1024), "commits_per_request": per_request(commits),
        "writes_per_request": per_request(writes), "wal_kb_per_request": per_request(wal / 1024),
        "pg_us_per_commit": pg_cpu / commits * 1e6 if commits else float("nan"),
    }
    cpu = " + ".join(f"{c:.1f}" for c in silo_cpu)
    print(f"{'':10} cpu s over {load_s:.1f} s (idle rate taken off past {gen['seconds']} s): silo {cpu}, postgres {pg_cpu:.1f}, client {client_cpu:.1f}"
          f" | idle ms/s: silo {' + '.join(f'{x:.0f}' for x in row['silo_idle_ms_per_s'])}, postgres {row['pg_idle_ms_per_s']:.0f},"
          f" {net_idle:.1f} msgs/s between silos, {idle_commits:.1f} commits/s | commits {commits} ({writes} writing), WAL {wal / 2**20:.1f} MiB")
    print(f"{'':10} per value: silo {row['silo_us_per_value']:.3f} µs, postgres {row['pg_us_per_value']:.3f} µs,"
          f" client {row['client_us_per_value']:.3f} µs | per request: {row['grain_calls_per_request']:.2f} grain calls,"
          f" {row['hops_per_request']:.2f} cross-silo hops ({row['net_kb_per_request']:.0f} KiB sent between silos),"
          f" {row['commits_per_request']:.2f} commits ({row['writes_per_request']:.2f} writing), WAL {row['wal_kb_per_request']:.0f} KiB"
          f" | postgres {row['pg_us_per_commit']:.0f} µs CPU per commit")
    print("json " + json.dumps(row))


def summary(argv):
    rows = [json.loads(line) for line in open(argv[0]) if line.strip()]
    ones = [r for r in rows if r["silos"] == 1]
    twos = [r for r in rows if r["silos"] == 2]
    ratios = [b["values_per_s"] / a["values_per_s"] for a, b in zip(ones, twos) if a["values_per_s"]]
    load = os.getloadavg()
    print(f"\nSummary ({len(ratios)} rounds; load average now {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; nproc {os.cpu_count()}):\n")
    # Two ÷ one per CPU: the inverse ratio of (silos + PostgreSQL) CPU per value. It does not depend on how much of a
    # shared machine each run got, only on what a value cost; on a machine of its own it is the ratio to expect.
    def cost(r):
        return r["silo_us_per_value"] + r["pg_us_per_value"]
    per_cpu = [cost(a) / cost(b) for a, b in zip(ones, twos)]
    print("| round | one silo values/s | two silos values/s | two ÷ one | two ÷ one per CPU (silos + PostgreSQL µs per value) |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for i, (a, b) in enumerate(zip(ones, twos), 1):
        print(f"| {i} | {a['values_per_s']:,.0f} | {b['values_per_s']:,.0f} | {b['values_per_s'] / a['values_per_s']:.2f} |"
              f" {cost(a) / cost(b):.2f} ({cost(a):.2f} against {cost(b):.2f}) |")
    if ratios:
        print(f"| **median** | **{statistics.median(r['values_per_s'] for r in ones):,.0f}** |"
              f" **{statistics.median(r['values_per_s'] for r in twos):,.0f}** | **{statistics.median(ratios):.2f}** |"
              f" **{statistics.median(per_cpu):.2f}** |")
    print("\nMedians over the rounds:\n")
    print("| | one silo | two silos |")
    print("| --- | ---: | ---: |")
    fields = [
        ("silo CPU µs per value (both silos summed)", "silo_us_per_value", "{:.3f}"),
        ("PostgreSQL CPU µs per value", "pg_us_per_value", "{:.3f}"),
        ("load generator CPU µs per value", "client_us_per_value", "{:.3f}"),
        ("grain calls per request", "grain_calls_per_request", "{:.2f}"),
        ("cross-silo hops per request (network messages ÷ 2, idle rate taken off)", "hops_per_request", "{:.2f}"),
        ("KiB sent between silos per request", "net_kb_per_request", "{:.0f}"),
        ("commits per request (xact_commit)", "commits_per_request", "{:.2f}"),
        ("writing transactions per request", "writes_per_request", "{:.2f}"),
        ("WAL KiB per request", "wal_kb_per_request", "{:.0f}"),
        ("PostgreSQL CPU µs per commit", "pg_us_per_commit", "{:.0f}"),
        ("idle CPU ms/s, silos summed", None, "{:.1f}"),
        ("idle CPU ms/s, PostgreSQL", "pg_idle_ms_per_s", "{:.1f}"),
        ("idle network messages/s between silos", "net_idle_msgs_per_s", "{:.1f}"),
        ("idle commits/s", "idle_commits_per_s", "{:.1f}"),
    ]
    for label, key, fmt in fields:
        def med(group):
            if not group:
                return "—"
            xs = [sum(r["silo_idle_ms_per_s"]) if key is None else r[key] for r in group]
            return fmt.format(statistics.median(xs))
        print(f"| {label} | {med(ones)} | {med(twos)} |")


if __name__ == "__main__":
    {"snapshot": snapshot, "report": report, "summary": summary}[sys.argv[1]](sys.argv[2:])
