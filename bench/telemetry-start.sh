# Sourced by bench/telemetry.sh and bench/telemetry-profile.sh from the repository root: builds in Release, starts the
# silo (temporary SQLite) and `prometheus --web.enable-remote-write-receiver` (temporary TSDB) on free 127.0.0.1 ports,
# waits until both are ready, and stops both on exit. Sets SILO_PORT, PROM_PORT, SILO_PID, PROM_PID, TMP.
# SILO_ENV (optional): environment assignments for the silo process, e.g. "DOTNET_PerfMapEnabled=1".
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
# shellcheck disable=SC2086 # SILO_ENV is a list of assignments.
env ${SILO_ENV:-} dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$SILO_PORT" \
  --Storage:ConnectionString "Data Source=$TMP/bench.db" --Logging:LogLevel:Default Warning >"$TMP/silo.log" 2>&1 &
SILO_PID=$!
printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prometheus.yml"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
  --web.enable-remote-write-receiver --log.level=warn >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$SILO_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
