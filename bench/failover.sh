#!/usr/bin/env bash
# Failover time of a two-silo cluster over PostgreSQL, Orleans' default membership settings against
# Cluster:FastFailover=true, in one run. Usage: bench/failover.sh [deployments] — starts a throwaway PostgreSQL
# (like test.sh), and for each setting two silos (Release build) on 127.0.0.1: registers the deployments through
# silo A, writes one batch to each, kills A with SIGKILL, then writes to every deployment through silo B every
# 100 ms until each has been acknowledged once. Prints the time from the kill until the last deployment answered
# (those that lived on A are unavailable until A is declared dead) and the HTTP statuses seen meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
dotnet build -c Release -nologo -v q silo/Verification.Silo >/dev/null
TMP=$(mktemp -d /tmp/verification-failover.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$TMP"
PGPORT=$(free_port)
as_pg "$pg_bin/initdb" -D "$TMP/pg" -U postgres -A trust >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -o "-h 127.0.0.1 -p $PGPORT -k $TMP" start >/dev/null
SILO=silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll

start_silo() { # name fast database -> prints "pid port"
  local port; port=$(free_port)
  dotnet "$SILO" --urls "http://127.0.0.1:$port" --Storage:Provider postgres \
    --Storage:ConnectionString "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$3" \
    --Cluster:SiloPort 0 --Cluster:GatewayPort 0 --Cluster:FastFailover "$2" \
    --Logging:LogLevel:Default Warning >"$TMP/$1.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "$pid $port"
}
batch() { # deployment batchId
  printf '{"deploymentId":"%s","cohort":"CANARY","metric":"latency","batchId":"%s","values":[1,2,3]}\n' "$1" "$2"
}
now_ms() { date +%s%3N; }

run() {
  local name=$1 fast=$2 db="failover_$1"
  as_pg psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE $db" >/dev/null
  read -r pid_a port_a < <(start_silo "$name-a" "$fast" "$db"); PIDS+=("$pid_a")
  read -r pid_b port_b < <(start_silo "$name-b" "$fast" "$db"); PIDS+=("$pid_b")
  local a="http://127.0.0.1:$port_a" b="http://127.0.0.1:$port_b" i
  for i in $(seq 1 "$N"); do
    curl -fs -o /dev/null -X POST "$a/v1/deployments" -H 'Content-Type: application/json' \
      -d "{\"id\":\"f-$i\",\"service\":\"checkout\",\"version\":\"v2\",\"metrics\":[{\"name\":\"latency\",\"kind\":\"CONTINUOUS\"}]}"
    batch "f-$i" "warm-$i" | curl -fs -o /dev/null -X POST "$a/v1/samples" -H 'Content-Type: application/x-ndjson' --data-binary @-
  done
  local killed; killed=$(now_ms)
  kill -9 "$pid_a"
  declare -A done_at=() statuses=()
  local attempt=0 pending=$N code
  while [ "$pending" -gt 0 ] && [ $(( $(now_ms) - killed )) -lt 180000 ]; do
    attempt=$((attempt + 1))
    for i in $(seq 1 "$N"); do
      [ -n "${done_at[$i]:-}" ] && continue
      code=$(batch "f-$i" "after-$attempt-$i" | curl -s -o /dev/null -w '%{http_code}' -m 40 -X POST "$b/v1/samples" \
        -H 'Content-Type: application/x-ndjson' --data-binary @- || true)
      statuses[$code]=$(( ${statuses[$code]:-0} + 1 ))
      if [ "$code" = 200 ]; then done_at[$i]=$(( $(now_ms) - killed )); pending=$((pending - 1)); fi
    done
    sleep 0.1
  done
  local worst=0 slow=0 t
  for t in "${done_at[@]}"; do [ "$t" -gt "$worst" ] && worst=$t; [ "$t" -gt 1000 ] && slow=$((slow + 1)); done
  local seen=""; for code in "${!statuses[@]}"; do seen+="$code×${statuses[$code]} "; done
  printf '%-8s deployments=%d unanswered=%d slower-than-1s=%d last-answered-after=%d ms statuses: %s\n' \
    "$name" "$N" "$pending" "$slow" "$worst" "$seen"
  kill -9 "$pid_b" 2>/dev/null || true
}
run default false
run fast true
