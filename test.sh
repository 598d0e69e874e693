#!/usr/bin/env bash
# The one command that runs the tests: ./test.sh [extra dotnet test arguments]
# On a fresh Debian machine (as root) it installs what the tests need, starts a throwaway
# PostgreSQL on a free 127.0.0.1 port, runs every test project of the solution, stops the
# database, and exits non-zero if anything failed. Everything it ran is kept in
# artifacts/test-results/ (git-ignored): test.log (the full output), build.log and one TRX file
# per test project — on success and on failure.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
RESULTS="$ROOT/artifacts/test-results"

log() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- packages
# Every tool this script and the tests use: PostgreSQL, Node.js/npm (conformance suites, free ports),
# Prometheus and promtool, curl and jq (the README walk-through test), awk (the report below).
need_apt=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need_apt+=(postgresql)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
# nginx: the docker-compose recipe's load balancer configuration is checked with `nginx -t`.
[ -x /usr/sbin/nginx ] || need_apt+=(nginx)
# Headless Chromium for the UI tests (driven over the DevTools protocol; no browser download), with a font.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -n "$(fc-list 2>/dev/null | head -n 1)" ] || need_apt+=(fonts-dejavu-core)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v awk >/dev/null 2>&1 || need_apt+=(gawk)
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

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# ---------------------------------------------------------------- PostgreSQL
PGTMP=$(mktemp -d /tmp/verification-pg.XXXXXX)
PGPORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_pg() {
  as_pg "$pg_bin/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  cp "$PGTMP/server.log" "$RESULTS/postgres.log" 2>/dev/null || true
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
log "building (log: artifacts/test-results/build.log)"
if ! dotnet build "$ROOT/Verification.sln" -c Release -warnaserror -nologo -clp:NoSummary >"$RESULTS/build.log" 2>&1; then
  grep -E ' error [A-Z]+[0-9]+' "$RESULTS/build.log" | sort -u || tail -n 40 "$RESULTS/build.log"
  echo "test.sh: the build failed (full log: artifacts/test-results/build.log)" >&2
  exit 1
fi

# Per-project counts and test durations from TRX files (one per test project): "P" and "T" lines.
report() {
  awk '
    FNR == 1 { project = "" }
    /<UnitTestResult / {
      name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
      gsub(/&quot;/, "\"", name); gsub(/&lt;/, "<", name); gsub(/&gt;/, ">", name); gsub(/&apos;/, "\047", name); gsub(/&amp;/, "\&", name)
      outcome = $0; sub(/.*outcome="/, "", outcome); sub(/".*/, "", outcome)
      duration = $0; sub(/.*duration="/, "", duration); sub(/".*/, "", duration)
      split(duration, t, ":"); seconds = t[1] * 3600 + t[2] * 60 + t[3]
      if (duration == $0) seconds = 0
      if (outcome == "NotExecuted") outcome = "Skipped"
      pending[FILENAME] = pending[FILENAME] sprintf("%s\t%.3f\t%s\n", outcome, seconds, name)
    }
    /<TestMethod .*codeBase="/ && project == "" {
      project = $0; sub(/.*codeBase="/, "", project); sub(/".*/, "", project)
      n = split(project, parts, "/"); project = parts[n]; sub(/\.dll$/, "", project)
      projects[FILENAME] = project
    }
    END {
      for (f in pending) {
        p = (f in projects) ? projects[f] : f
        count = split(pending[f], lines, "\n")
        for (i = 1; i <= count; i++) {
          if (lines[i] == "") continue
          split(lines[i], cols, "\t")
          total[p, cols[1]]++
          print "T\t" cols[2] "\t" p "\t" cols[3]
        }
        names[p] = 1
      }
      for (p in names)
        printf "P\t%-40s %5d passed %5d failed %5d skipped\n", p, total[p, "Passed"], total[p, "Failed"], total[p, "Skipped"]
    }' "$@"
}
log "running tests (full log: artifacts/test-results/test.log)"
# One line per test project as it finishes (read from its TRX file), and every failed test by name as it
# fails; everything else goes to the log only.
set +e
dotnet test "$ROOT/Verification.sln" -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$RESULTS" "$@" 2>&1 \
  | tee "$RESULTS/test.log" \
  | while IFS= read -r line; do
      case "$line" in
        *"Results File: "*.trx) report "${line#*Results File: }" | grep '^P' | cut -f2- || true ;;
        *) if [[ "$line" =~ ^[[:space:]]+Failed\ [A-Za-z_] || "$line" =~ (Test\ host\ process\ crashed|\ error\ [A-Z]+[0-9]+) ]]; then
             printf '%s\n' "$line"
           fi ;;
      esac
    done
pipe=("${PIPESTATUS[@]}")
set -e
status=${pipe[0]}

passed=0 failed=0 skipped=0
if ls "$RESULTS"/*.trx >/dev/null 2>&1; then
  report "$RESULTS"/*.trx >"$RESULTS/report.tsv"
  echo
  echo "per project:"
  grep '^P' "$RESULTS/report.tsv" | cut -f2- | sort
  echo
  echo "slowest tests:"
  # awk reads to the end (no early close as with head, which would fail the pipeline with SIGPIPE under pipefail).
  grep '^T' "$RESULTS/report.tsv" | sort -t$'\t' -k2,2 -g -r \
    | awk -F'\t' 'NR <= 10 { printf "%9.2f s  %s  %s\n", $2, $3, $4 }'
  passed=$(grep '^P' "$RESULTS/report.tsv" | awk '{ s += $3 } END { print s + 0 }')
  failed=$(grep '^P' "$RESULTS/report.tsv" | awk '{ s += $5 } END { print s + 0 }')
  skipped=$(grep '^P' "$RESULTS/report.tsv" | awk '{ s += $7 } END { print s + 0 }')
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # Failed without a failing test (crashed test host, bad argument): show the end of the log.
  tail -n 80 "$RESULTS/test.log"
fi
if [ "$passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
echo
echo "$passed passed, $failed failed, $skipped skipped (logs and TRX: artifacts/test-results/)"
exit "$status"
