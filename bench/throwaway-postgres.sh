# Sourced by bench scripts (after `TMP=$(mktemp -d …)`): starts a throwaway PostgreSQL (durable settings) in $TMP/pg on a
# free loopback port ($PGPORT; binaries in $pg_bin), defines free_port, as_pg (run as the postgres user when root) and
# stop_silos (stops the processes in PIDS), and on exit stops the silos and PostgreSQL and removes $TMP.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
stop_silos() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; PIDS=(); }
cleanup() {
  stop_silos
  as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
if [ "$(id -u)" -eq 0 ]; then chown postgres "$TMP"; fi
PGPORT=$(free_port)
as_pg "$pg_bin/initdb" -D "$TMP/pg" -U postgres -A trust >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$TMP/pg" -l "$TMP/pg.log" -w -o "-h 127.0.0.1 -p $PGPORT -k $TMP -c max_connections=300" start >/dev/null
