#!/usr/bin/env bash
# The one command that runs the tests: ./test.sh [extra dotnet test arguments]
# On a fresh Debian machine (as root) it installs what the tests need, starts a throwaway
# PostgreSQL on a free 127.0.0.1 port, runs every test project of the solution, stops the
# database, and exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

log() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- packages
need_apt=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need_apt+=(postgresql)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
# A real Prometheus (pull provider, remote-write sender) and promtool (metrics format, rule tests).
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
# Headless Chromium for the UI tests (driven over the DevTools protocol; no browser download), with a font.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -n "$(fc-list 2>/dev/null | head -n 1)" ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages (${need_apt[*]}) and not root to install them" >&2
    exit 1
  fi
  log "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# npm packages used by conformance suites (graphql-js, graphql-ws), pinned by package-lock.json.
if [ -f tests/conformance/package.json ]; then
  log "npm packages for the conformance suites"
  (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---------------------------------------------------------------- PostgreSQL
PGTMP=$(mktemp -d /tmp/verification-pg.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_pg() {
  as_pg "$pg_bin/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap stop_pg EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$PGTMP"
log "starting PostgreSQL on 127.0.0.1:$PGPORT"
as_pg "$pg_bin/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log"; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$PGTMP/server.log"; exit 1; }
export VERIFICATION_TEST_POSTGRES="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Pooling=true"

# ---------------------------------------------------------------- tests
log "building"
dotnet build "$ROOT/Verification.sln" -c Release -warnaserror -nologo -clp:NoSummary

log "running tests"
status=0
dotnet test "$ROOT/Verification.sln" -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --results-directory "$PGTMP/results" "$@" >"$PGTMP/test.log" 2>&1 || status=$?
# Failed and skipped tests by name, and every project's summary line.
grep -E '^\s+(Failed|Skipped) |^(Passed|Failed)! |error [A-Z]+[0-9]+' "$PGTMP/test.log" || true
count() { { grep -Eo "$1: +[0-9]+" "$PGTMP/test.log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # Failed without a failing test (build error, crashed test host): show the end of the log.
  tail -n 80 "$PGTMP/test.log"
fi
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
