#!/usr/bin/env bash
# Soak: a silo with tokens on, honest clients alone and then with a hostile client among them (bench/soak.py).
# ./bench/soak.sh [seconds, default 1800]. Builds the silo, runs it on 127.0.0.1 over a fresh SQLite file, stops it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-1800}
[ -n "${SOAK_NO_BUILD:-}" ] || dotnet build "$ROOT/silo/Verification.Silo" -c Release -nologo -v q >/dev/null
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
BOOT=$(python3 -c 'import secrets;print(secrets.token_hex(32))')
dotnet "$ROOT/silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll" --urls "http://127.0.0.1:$PORT" \
  --Storage:ConnectionString "Data Source=$WORK/soak.db" --Auth:BootstrapToken "$BOOT" \
  --Cluster:SiloPort 0 --Cluster:GatewayPort 0 >"$WORK/silo.log" 2>&1 &
SILO=$!
trap 'kill $SILO 2>/dev/null || true; wait $SILO 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
python3 "$ROOT/bench/soak.py" "http://127.0.0.1:$PORT" "$BOOT" "$SILO" "$DURATION"
