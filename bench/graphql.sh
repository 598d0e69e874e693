#!/usr/bin/env bash
# GraphQL HTTP throughput: POST /graphql (standard verdict query) vs a plain ASP.NET Core endpoint answering the same
# JSON bytes (and the silo's GET /v1/deployments/{id}), side by side in one run, medians of alternating rounds.
# Usage: bench/graphql.sh [seconds-per-run] [clients] — starts the silo in Release on a free 127.0.0.1 port over a
# throwaway SQLite database; the load generator registers a deployment with samples (three metrics, ROLLBACK verdict),
# runs, prints one line per run and the medians, and everything stops by itself (about 3 × 3 × seconds + 20 s after the build).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-8}
CLIENTS=${2:-16}
# The bench references the silo, so one build (one project per `dotnet build`) builds both.
dotnet build -c Release -nologo -v q bench/Verification.Bench >/dev/null
TMP=$(mktemp -d /tmp/verification-gqlbench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
SILO_PID=""
cleanup() {
  [ -n "$SILO_PID" ] && kill "$SILO_PID" 2>/dev/null && wait "$SILO_PID" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
PORT=$(free_port)
dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$PORT" \
  --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$TMP/bench.db" --Logging:LogLevel:Default Warning >"$TMP/silo.log" 2>&1 &
SILO_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
timeout $((9 * SECONDS_PER_RUN + 60)) dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll graphql-load \
  --url "http://127.0.0.1:$PORT" --seconds "$SECONDS_PER_RUN" --clients "$CLIENTS" --rounds 3
