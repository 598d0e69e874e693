#!/usr/bin/env bash
# Ingestion through POST /v1/samples into one PostgreSQL database: one silo, then two silos of one cluster (the load
# spread over both), alternately, in one run, so the ratio two/one is read off runs under the same machine load.
# Usage: bench/cluster-ingest.sh [seconds] [rounds] (SKIP_BUILD=1: use the build there is; WARMUP_SECONDS=5: a load
# before the measured one, on other deployments, so that each silo's JIT is done; then 5 s to settle and IDLE_SECONDS=5 of
# idle, measured) — starts a throwaway PostgreSQL (durable settings, like bench/ingest.sh) and the silos in Release on
# 127.0.0.1, prints per run the load generator's line and where the cost went (bench/cluster-probe.py: CPU of each silo,
# of PostgreSQL and of the load generator, commits, WAL, grain calls and cross-silo messages, per value and per request),
# the ratio per round, and at the end a ready-to-paste summary table with the medians; stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-15}
ROUNDS=${2:-2}
IDLE_SECONDS=${IDLE_SECONDS:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
[ "${SKIP_BUILD:-}" = 1 ] || dotnet build -c Release -nologo -v q bench/Verification.Bench >/dev/null  # builds the silo too
TMP=$(mktemp -d /tmp/verification-cluster-bench.XXXXXX)
source bench/throwaway-postgres.sh

# Starts one silo of cluster $1 on database $2 (its process id is added to PIDS, its URL to URLS).
URLS=()
start_silo() {
  local cluster=$1 db=$2 port
  port=$(free_port)
  dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$port" \
    --Storage:Provider postgres --Storage:ConnectionString "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$db" \
    --Cluster:Id "$cluster" --Cluster:SiloPort 0 --Cluster:GatewayPort 0 --Logging:LogLevel:Default Warning >>"$TMP/$cluster.log" 2>&1 &
  PIDS+=($!)
  URLS+=("http://127.0.0.1:$port")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
}

PYTHON=$(python3 -c 'import sys; print(sys.executable)')
probe() { "$PYTHON" bench/cluster-probe.py "$@"; }
load() { dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll ingest "$@"; }

# One run on a fresh database with $1 silos: a warm-up load, the measured deployments registered, an idle pause, then the
# measured load; prints the load generator's line and where the cost went, returns values/s in $RESULT.
run() {
  local silos=$1 name=$2 line pids urls
  rm -f "$TMP"/*.json  # a load generator that fails before its after-hook leaves no snapshot of an earlier run behind
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres "$name"
  URLS=()
  for _ in $(seq 1 "$silos"); do start_silo "$name" "$name"; done
  pids=$(IFS=,; echo "${PIDS[*]}"); urls=$(IFS=,; echo "${URLS[*]}")
  [ "$WARMUP_SECONDS" = 0 ] || load --url "$urls" --seconds "$WARMUP_SECONDS" --run "warm$name" >/dev/null || true
  load --url "$urls" --run "$name" --phase register
  sleep 5  # what the warm-up left behind (tiered re-compilation, GC) settles
  probe snapshot "$TMP/idle0.json" --pids "$pids" --urls "$urls" --pgdata "$TMP/pg" --pgport "$PGPORT" --db "$name"
  sleep "$IDLE_SECONDS"
  # The load generator takes the snapshots around exactly its timed load (not its own start-up).
  # (python3 resolved to its executable: a version manager's shim can take seconds to start on a loaded machine)
  snap="$PYTHON $PWD/bench/cluster-probe.py snapshot $TMP/%s.json --pids $pids --urls $urls --pgdata $TMP/pg --pgport $PGPORT --db $name"
  # A run with failed requests (exit status 1) is printed too: its values/s counts only acknowledged ones.
  line=$(load --url "$urls" --seconds "$SECONDS_PER_RUN" --run "$name" --phase load \
    --before "$(printf "$snap" load0) --at end" --after "$(printf "$snap" silos1)" || true)
  stop_silos
  # After the silos' connections closed: their last statistics reached pg_stat_database.
  probe snapshot "$TMP/pg1.json" --pgdata "$TMP/pg" --pgport "$PGPORT" --db "$name"
  printf '%-10s %s\n' "$silos silo(s)" "$line"
  probe report "$TMP/idle0.json" "$TMP/load0.json" "$TMP/silos1.json" "$TMP/pg1.json" "$line" "$silos" >"$TMP/report.txt"
  grep -v '^json ' "$TMP/report.txt"
  grep '^json ' "$TMP/report.txt" | cut -c6- >>"$TMP/runs.jsonl"
  RESULT=$(sed -E 's/^values\/s=([0-9]+).*/\1/' <<<"$line")
}

for round in $(seq 1 "$ROUNDS"); do
  run 1 "one$round"; one=$RESULT
  run 2 "two$round"; two=$RESULT
  python3 -c "import os; print(f'round $round: two silos / one silo = {$two / $one:.2f} (load average {os.getloadavg()[0]:.1f})')"
done
probe summary "$TMP/runs.jsonl"
