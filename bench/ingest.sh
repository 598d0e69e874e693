#!/usr/bin/env bash
# Ingestion throughput through POST /v1/samples, SQLite and PostgreSQL side by side in one run.
# Usage: bench/ingest.sh [seconds] — starts a throwaway PostgreSQL (like test.sh) and the silo in Release on
# 127.0.0.1, runs the load generator against each storage, prints one result line per storage, stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-20}
dotnet build -c Release -nologo -v q bench/Verification.Bench >/dev/null  # builds the silo too
TMP=$(mktemp -d /tmp/verification-bench.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
SILO_PID=""
cleanup() {
  [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null || true
  as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$TMP"
PGPORT=$(free_port)
as_pg "$pg_bin/initdb" -D "$TMP/pg" -U postgres -A trust >/dev/null
# Durable settings (fsync on, synchronous_commit on): the same promise the SQLite run keeps.
as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -o "-h 127.0.0.1 -p $PGPORT -k $TMP" start >/dev/null

run() {
  local name=$1 provider=$2 connection=$3 port
  port=$(free_port)
  dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$port" \
    --Storage:Provider "$provider" --Storage:ConnectionString "$connection" --Logging:LogLevel:Default Warning >"$TMP/$name.log" 2>&1 &
  SILO_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  printf '%-8s ' "$name"
  dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll ingest --url "http://127.0.0.1:$port" --seconds "$SECONDS_PER_RUN"
  kill "$SILO_PID"; wait "$SILO_PID" 2>/dev/null || true; SILO_PID=""
}
run sqlite sqlite "Data Source=$TMP/bench.db"
run postgres postgres "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
