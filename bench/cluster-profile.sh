#!/usr/bin/env bash
# Where a silo's CPU goes under the ingestion load of bench/cluster-ingest.sh: one or two silos on a throwaway PostgreSQL,
# a warm-up load, the measured deployments registered, then 22 s of load; `perf record -F 499 -g` of the silo processes
# over 12 s of it (JIT-compiled code named through DOTNET_PerfMapEnabled=1) and, when dotnet-counters is installed,
# its System.Runtime counters per silo (JIT time, GC pauses). Prints CPU per value by where the sampled code lives
# (bench/cluster-profile.py). Usage: bench/cluster-profile.sh <silos: 1 or 2> <output directory>; WARMUP_SECONDS=5;
# SILO_ENV="DOTNET_TieredPGO=0" adds environment variables to the silos. Needs perf and root (or perf_event_paranoid<=1).
set -euo pipefail
cd "$(dirname "$0")/.."
SILOS=$1; OUT=$2; mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/verification-cluster-profile.XXXXXX)
source bench/throwaway-postgres.sh
as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres profile
URLS=()
for _ in $(seq 1 "$SILOS"); do
  port=$(free_port)
  # W^X off: JIT-compiled code lives in anonymous memory that perf names through /tmp/perf-<pid>.map.
  env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ${SILO_ENV:-} \
    dotnet silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll --urls "http://127.0.0.1:$port" \
    --Storage:Provider postgres --Storage:ConnectionString "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=profile" \
    --Cluster:Id profile --Cluster:SiloPort 0 --Cluster:GatewayPort 0 --Logging:LogLevel:Default Warning >>"$OUT/silos.log" 2>&1 &
  PIDS+=($!); URLS+=("http://127.0.0.1:$port")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
done
urls=$(IFS=,; echo "${URLS[*]}"); pids=$(IFS=,; echo "${PIDS[*]}")
load() { dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll ingest "$@"; }
load --url "$urls" --seconds "${WARMUP_SECONDS:-5}" --run warm >/dev/null || true
load --url "$urls" --run profile --phase register
sleep 5
load --url "$urls" --seconds 22 --run profile --phase load >"$OUT/load.txt" &
loader=$!
sleep 4
counters=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
if [ -x "$counters" ]; then
  for pid in "${PIDS[@]}"; do
    "$counters" collect -p "$pid" --counters System.Runtime --format csv --refresh-interval 1 --duration 00:00:00:12 \
      -o "$OUT/counters-$pid.csv" >/dev/null 2>&1 &
  done
fi
perf record -F 499 -g -p "$pids" -o "$OUT/perf.data" -- sleep 12 2>"$OUT/perf-record.log" || true
wait "$loader" || true
echo "${PIDS[*]}" >"$OUT/pids.txt"
cat "$OUT/load.txt"
python3 bench/cluster-profile.py "$OUT"
