#!/usr/bin/env bash
# Token look-ups with and without the per-silo cache (Auth:CacheSeconds): requests/s of an authenticated cheap GET
# (`GET /v1/deployments/{id}` with a read token) on a silo with the cache (default 5 s) next to the same silo with
# `Auth:CacheSeconds=0` (a token-grain call per request, as before the cache), and the same pair in open mode (loopback,
# no token: the "does any token exist" question). Four silos over throwaway SQLite files on free 127.0.0.1 ports, rate
# limits off; alternating rounds, medians, load average per round (bench/auth-cache.mjs). Everything stops by itself.
# Usage: bench/auth-cache.sh [seconds-per-run] [clients] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-8}
CLIENTS=${2:-16}
ROUNDS=${3:-3}
BOOTSTRAP=$(openssl rand -hex 32)
dotnet build -c Release -nologo -v q silo/Verification.Silo >/dev/null
TMP=$(mktemp -d /tmp/verification-authbench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# start NAME CACHE_SECONDS [extra args…] — prints the base URL once the silo is ready.
start() {
  local name=$1 cache=$2; shift 2
  local port; port=$(free_port)
  dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$port" \
    --Storage:Provider sqlite --Storage:ConnectionString "Data Source=$TMP/$name.db" --Logging:LogLevel:Default Warning \
    --Auth:CacheSeconds "$cache" --Auth:RateLimit:PermitsPerSecond 0 --Auth:RateLimit:ConcurrentRequests 0 "$@" \
    >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "silo $name did not start:" >&2; cat "$TMP/$name.log" >&2; exit 1; }
  URL="http://127.0.0.1:$port"
}

# register URL [bearer] — the deployment every request reads.
register() {
  curl -fsS -o /dev/null -X POST "$1/v1/deployments" ${2:+-H "Authorization: Bearer $2"} -H 'Content-Type: application/json' \
    -d '{"id":"bench-1","service":"checkout","version":"v2","metrics":[{"name":"errors","kind":"RATIO","direction":"INCREASE"}]}'
}

# read_token URL — a new token with the read scope (created with the bootstrap token).
read_token() {
  curl -fsS -X POST "$1/v1/tokens" -H "Authorization: Bearer $BOOTSTRAP" -H 'Content-Type: application/json' \
    -d '{"name":"bench-reader","scopes":["read"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

start tokens-cached 5 --Auth:BootstrapToken "$BOOTSTRAP"; TOKENS_CACHED=$URL
start tokens-uncached 0 --Auth:BootstrapToken "$BOOTSTRAP"; TOKENS_UNCACHED=$URL
start open-cached 5; OPEN_CACHED=$URL
start open-uncached 0; OPEN_UNCACHED=$URL
for url in "$TOKENS_CACHED" "$TOKENS_UNCACHED"; do register "$url" "$BOOTSTRAP"; done
for url in "$OPEN_CACHED" "$OPEN_UNCACHED"; do register "$url"; done
TOKEN_C=$(read_token "$TOKENS_CACHED")
TOKEN_U=$(read_token "$TOKENS_UNCACHED")

echo "$(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $CLIENTS clients, $ROUNDS rounds of ${SECONDS_PER_RUN} s"
timeout $((4 * ROUNDS * SECONDS_PER_RUN + 120)) node bench/auth-cache.mjs "$SECONDS_PER_RUN" "$CLIENTS" "$ROUNDS" \
  "token, cache 5 s=$TOKENS_CACHED/v1/deployments/bench-1@$TOKEN_C" \
  "token, no cache=$TOKENS_UNCACHED/v1/deployments/bench-1@$TOKEN_U" \
  "open, cache 5 s=$OPEN_CACHED/v1/deployments/bench-1" \
  "open, no cache=$OPEN_UNCACHED/v1/deployments/bench-1"
