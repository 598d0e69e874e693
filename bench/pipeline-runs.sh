#!/usr/bin/env bash
# Pipeline runs in and delivery KPIs out: POST /v1/pipeline-runs (NDJSON, requests of 1,000 runs, one client) and the
# cost of GET /v1/delivery when every run is read from storage per request (overall, and one service).
# Usage: bench/pipeline-runs.sh [services=20] [runs-per-service=2500] — starts the silo in Release on a free 127.0.0.1
# port over a throwaway SQLite database, prints the numbers, and stops everything by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVICES=${1:-20}
RUNS=${2:-2500}
dotnet build -c Release -nologo -v q silo/Verification.Silo >/dev/null
TMP=$(mktemp -d /tmp/verification-runsbench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SILO_PID=""
cleanup() {
  [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null && wait "$SILO_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "$URL" --Cluster:SiloPort 0 --Cluster:GatewayPort 0 \
  --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$TMP/bench.db" --Logging:LogLevel:Default Warning >"$TMP/silo.log" 2>&1 &
SILO_PID=$!
for _ in $(seq 1 150); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

# Runs spread over the last 20 days; every 10th fails and is retried with success (flaky), every 7th is a SECURITY run.
python3 - "$TMP" "$SERVICES" "$RUNS" <<'PY'
import json, sys, datetime
tmp, services, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = datetime.datetime.now(datetime.timezone.utc)
lines = []
for s in range(services):
    for r in range(runs):
        at = now - datetime.timedelta(minutes=((runs - r) * 20 * 24 * 60) // runs + 1)  # later runs finish later
        kind = "SECURITY" if r % 7 == 0 else "BUILD"
        status = "FAILED" if r % 10 == 0 else "SUCCEEDED"
        lines.append(json.dumps({"service": f"svc-{s}", "pipeline": "ci", "runId": str(r), "kind": kind, "status": status,
                                 "commitSha": f"c{r // 2}", "finishedAt": at.strftime("%Y-%m-%dT%H:%M:%SZ")}))
for i in range(0, len(lines), 1000):
    with open(f"{tmp}/batch-{i // 1000:05d}.ndjson", "w") as f:
        f.write("\n".join(lines[i:i + 1000]) + "\n")
PY

start=$(date +%s.%N)
for f in "$TMP"/batch-*.ndjson; do
  curl -fs -X POST "$URL/v1/pipeline-runs" -H 'Content-Type: application/x-ndjson' --data-binary @"$f" >/dev/null
done
end=$(date +%s.%N)
total=$((SERVICES * RUNS))
awk -v n="$total" -v s="$start" -v e="$end" 'BEGIN { printf "ingested %d runs in %.2f s: %.0f runs/s durable\n", n, e - s, n / (e - s) }'

median_ms() { # median of 5 timed GETs of $1
  for _ in 1 2 3 4 5; do curl -fs -o /dev/null -w '%{time_total}\n' "$1"; done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }'
}
curl -fs "$URL/v1/delivery?days=30" >/dev/null # warm-up
echo "GET /v1/delivery?days=30 (all $total runs): median of 5 = $(median_ms "$URL/v1/delivery?days=30") ms"
echo "GET /v1/delivery?service=svc-0&days=30 ($RUNS runs): median of 5 = $(median_ms "$URL/v1/delivery?service=svc-0&days=30") ms"
echo "GET /v1/delivery?days=30&weeks=12: median of 5 = $(median_ms "$URL/v1/delivery?days=30&weeks=12") ms"
curl -fs "$URL/v1/delivery?service=svc-0&days=30" | python3 -c 'import json,sys; m=json.load(sys.stdin)["metrics"]; print("svc-0:", {k: m[k] for k in ("pipelineRuns","pipelineSuccessRate","flakyRuns","securityGateFailureRate")})'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
