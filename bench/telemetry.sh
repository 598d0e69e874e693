#!/usr/bin/env bash
# OTLP ingestion throughput (POST /otlp/v1/metrics, protobuf, 1,000 points per request) next to a real Prometheus's
# own remote-write receiver (POST /api/v1/write) fed the same points, in one run: medians of 3 runs each and the ratio.
# Usage: bench/telemetry.sh [seconds-per-run] — starts the silo (Release, temporary SQLite) and
# `prometheus --web.enable-remote-write-receiver` (temporary TSDB) on free 127.0.0.1 ports, runs histogram and sum
# payloads, stops everything. About 60 s on an idle 2-core machine at the default of 3 s per run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-3}
# The bench project references the silo, so this builds both.
dotnet build -c Release -nologo -v q bench/Verification.Bench >/dev/null
TMP=$(mktemp -d /tmp/verification-telemetry-bench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SILO_PID=""; PROM_PID=""
cleanup() {
  [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null || true
  [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
SILO_PORT=$(free_port); PROM_PORT=$(free_port)
dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$SILO_PORT" \
  --Storage:ConnectionString "Data Source=$TMP/bench.db" --Logging:LogLevel:Default Warning >"$TMP/silo.log" 2>&1 &
SILO_PID=$!
printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
  --web.enable-remote-write-receiver --log.level=warn >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$SILO_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
nproc | xargs printf 'cores: %s, ' ; prometheus --version 2>&1 | head -n 1
for kind in histogram sum; do
  dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll telemetry --otlp "http://127.0.0.1:$SILO_PORT" \
    --prometheus "http://127.0.0.1:$PROM_PORT" --seconds "$SECONDS_PER_RUN" --runs 3 --kind "$kind"
done
