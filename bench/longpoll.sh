#!/usr/bin/env bash
# Long-poll waiters: N concurrent GET /v1/deployments/{id}/verdict?wait=60 parked on one deployment of one silo; memory
# and threads of the silo while they wait, and the time from one verdict change to every waiter answered.
# Usage: bench/longpoll.sh [waiters] [rounds] — starts the silo in Release on a free 127.0.0.1 port over a throwaway
# SQLite database, runs the load generator, prints one line per round, and stops everything by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
WAITERS=${1:-5000}
ROUNDS=${2:-3}
dotnet build -c Release -nologo -v q bench/Verification.Bench >/dev/null  # builds the silo too
TMP=$(mktemp -d /tmp/verification-longpoll.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SILO_PID=""
cleanup() {
  [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null && wait "$SILO_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
PORT=$(free_port)
dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$PORT" \
  --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$TMP/bench.db" --Logging:LogLevel:Default Warning >"$TMP/silo.log" 2>&1 &
SILO_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
timeout $((ROUNDS * 120 + 120)) dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll long-poll \
  --url "http://127.0.0.1:$PORT" --pid "$SILO_PID" --waiters "$WAITERS" --rounds "$ROUNDS"
