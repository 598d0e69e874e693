#!/usr/bin/env python3
"""Mixed-load soak of a running silo: honest clients (register, ingest, read verdicts) with and without a hostile
client among them. Prints p50/p99 latency of honest requests in the quiet and the loaded phase, RSS over time,
what the hostile client got, 5xx answers, and whether every acknowledged sample batch is counted. Memory: RSS and the
managed heap left by the last garbage collection (from /metrics), sampled every 5 s; their trend over the second half
of the run, per 10 minutes and per acknowledged batch (what the stored data itself needs, such as the batch ids kept
for de-duplication, grows with it; a leak grows without it).
Usage: soak.py URL BOOTSTRAP_TOKEN PID DURATION_SECONDS
SOAK_DISTINCT_BATCHES=N (a control run): each honest client cycles through N batch ids, so after the first N batches
every batch is a duplicate that stores nothing — the same requests with no data growing."""
import json, os, random, sys, threading, time, urllib.error, urllib.request, uuid

URL, BOOTSTRAP, PID, DURATION = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
HONEST = 4
QUIET = max(20.0, DURATION * 0.2)
DISTINCT = int(os.environ.get("SOAK_DISTINCT_BATCHES", "0"))


def call(method, path, body=None, token=None, content_type="application/json"):
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(URL + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        status, text = 0, str(e).encode()
    return status, text, time.perf_counter() - started


def token(name, scopes, services=None):
    body = {"name": name, "scopes": scopes}
    if services:
        body["services"] = services
    status, text, _ = call("POST", "/v1/tokens", json.dumps(body), BOOTSTRAP)
    assert status == 201, (status, text)
    return json.loads(text)["token"]


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def heap_bytes():
    """Managed heap after the last GC: the sum of dotnet_gc_last_collection_heap_size_bytes over generations."""
    try:
        with urllib.request.urlopen(URL + "/metrics", timeout=10) as response:
            text = response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("dotnet_gc_last_collection_heap_size_bytes{"))


def slope(points):
    """Least-squares slope of y over x for [(x, y)]."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else float("nan")


stop = threading.Event()
hostile_on = threading.Event()
lock = threading.Lock()
latencies = {"quiet": [], "loaded": []}
server_errors = []
acknowledged = {}  # deployment id -> batches acknowledged
acknowledged_ids = {}  # deployment id -> distinct batch ids acknowledged
hostile_statuses = {}


def honest(index):
    secret = token(f"honest-{index}-{uuid.uuid4().hex[:6]}", ["read", "ingest", "decide"], ["soak-*"])
    deployment = f"soak-{index}-{uuid.uuid4().hex[:8]}"
    status, text, _ = call("POST", "/v1/deployments", json.dumps({
        "id": deployment, "service": f"soak-{index}", "version": "v2",
        "metrics": [{"name": "errors", "kind": "RATIO", "direction": "INCREASE"}]}), secret)
    assert status == 201, (status, text)
    acknowledged[deployment] = 0
    acknowledged_ids[deployment] = set()
    n = 0
    while not stop.is_set():
        n += 1
        cohort = "CANARY" if n % 2 else "BASELINE"
        line = json.dumps({"deploymentId": deployment, "cohort": cohort, "metric": "errors", "count": random.randint(0, 3),
                           "total": 1000, "batchId": f"b{n % DISTINCT if DISTINCT else n}"})
        for method, path, body, ctype in (("POST", "/v1/samples", line, "application/x-ndjson"),
                                          ("GET", f"/v1/deployments/{deployment}/verdict", None, None)):
            status, text, seconds = call(method, path, body, secret, ctype or "application/json")
            phase = "loaded" if hostile_on.is_set() else "quiet"
            with lock:
                latencies[phase].append(seconds)
                if status >= 500 or status == 0:
                    server_errors.append((path, status, text[:200]))
            if method == "POST" and status == 200:
                with lock:
                    acknowledged_ids[deployment].add(n % DISTINCT if DISTINCT else n)
                    acknowledged[deployment] = len(acknowledged_ids[deployment])


def hostile():
    secret = token(f"hostile-{uuid.uuid4().hex[:6]}", ["read", "decide"], ["hostile-*"])
    bomb = "{ " + " ".join(f"a{i}: deliveryTrend(weeks: 104) {{ isoWeek }}" for i in range(1100)) + " }"
    deep = "[" * 40000 + "]" * 40000
    aliases = "k0: &k0 [a,a]\n" + "".join(f"k{i}: &k{i} [*k{i-1},*k{i-1}]\n" for i in range(1, 40)) + "? *k39\n: v\n"
    attacks = [
        lambda: call("GET", "/v1/services", None, "vt_" + uuid.uuid4().hex),                      # bad token: 401
        lambda: call("GET", "/v1/services/soak-0", None, secret),                                  # other service: 403
        lambda: call("POST", "/graphql", json.dumps({"query": bomb}), secret),                     # cost limit: 400
        lambda: call("POST", "/v1/slos", deep, secret, "application/yaml"),                       # YAML depth: 400
        lambda: call("POST", "/v1/slos", aliases, secret, "application/yaml"),                     # alias bomb: 400
        lambda: call("POST", "/v1/deployments", "{" * 100000, secret),                              # bad JSON: 400
        lambda: call("GET", "/v1/deployments/soak-0-x", None, None),                               # no token: 401
    ]
    while not stop.is_set():
        if not hostile_on.is_set():
            time.sleep(0.05)
            continue
        status, text, _ = random.choice(attacks)()
        with lock:
            hostile_statuses[status] = hostile_statuses.get(status, 0) + 1
            if status >= 500 or status == 0:
                server_errors.append(("hostile", status, text[:200]))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


threads = [threading.Thread(target=honest, args=(i,), daemon=True) for i in range(HONEST)]
threads += [threading.Thread(target=hostile, daemon=True) for _ in range(2)]
for t in threads:
    t.start()
rss = []
started = time.time()
while time.time() - started < DURATION:
    if time.time() - started >= QUIET:
        hostile_on.set()
    with lock:
        batches_now = sum(acknowledged.values())
    rss.append((round(time.time() - started), rss_kib(), heap_bytes(), batches_now))
    time.sleep(5)
stop.set()
for t in threads:
    t.join(timeout=60)

lost = 0
for deployment, batches in acknowledged.items():
    status, text, _ = call("GET", f"/v1/deployments/{deployment}", None, BOOTSTRAP)
    stored = sum(s["observations"] for s in json.loads(text)["summaries"]) if status == 200 else -1
    lost += batches - stored
quiet, loaded = latencies["quiet"], latencies["loaded"]
print(f"duration {DURATION:.0f} s (quiet {QUIET:.0f} s, then a hostile client among {HONEST} honest ones)")
print(f"honest requests: quiet {len(quiet)}, loaded {len(loaded)}")
print(f"honest p50 ms: quiet {percentile(quiet, 0.5)*1000:.1f}, loaded {percentile(loaded, 0.5)*1000:.1f}")
print(f"honest p99 ms: quiet {percentile(quiet, 0.99)*1000:.1f}, loaded {percentile(loaded, 0.99)*1000:.1f} "
      f"(ratio {percentile(loaded, 0.99)/percentile(quiet, 0.99):.2f})")
print(f"RSS MiB at start of load {rss[min(len(rss)-1, int(QUIET/5))][1]/1024:.0f}, end {rss[-1][1]/1024:.0f}, max {max(r[1] for r in rss)/1024:.0f}")
print("RSS samples (s, MiB):", " ".join(f"{r[0]}:{r[1]/1024:.0f}" for r in rss[:: max(1, len(rss)//12)]))
print("heap after GC samples (s, MiB):", " ".join(f"{r[0]}:{r[2]/2**20:.0f}" for r in rss[:: max(1, len(rss)//12)] if r[2] is not None))
half = [r for r in rss if r[0] >= DURATION / 2]
for name, index, unit in (("RSS", 1, 1024), ("heap after GC", 2, 2**20)):
    points = [(r[0], r[index] / unit) for r in half if r[index] is not None]
    per_batch = [(r[3], r[index] * (1024 if index == 1 else 1)) for r in half if r[index] is not None]
    print(f"{name} trend over the second half: {slope(points) * 600:+.1f} MiB per 10 min, "
          f"{slope(per_batch):+.0f} bytes per acknowledged batch")
print("hostile answers:", dict(sorted(hostile_statuses.items())))
print(f"5xx or failed connections: {len(server_errors)}", server_errors[:3])
print(f"acknowledged sample batches: {sum(acknowledged.values())}, lost: {lost}")
sys.exit(1 if server_errors or lost else 0)
