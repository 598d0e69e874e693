#!/usr/bin/env bash
# Where a silo's CPU and allocations go under OTLP counters load (section "OTLP decoding, after the move to Orleans").
# Usage: bench/telemetry-profile.sh counters|perf|trace|fsync <out-prefix> — starts the silo (Release, temporary SQLite)
# and Prometheus as bench/telemetry.sh does, runs `Verification.Bench telemetry --kind sum --seconds 14 --runs 1` and,
# from second 4.5 of the load (the OTLP run), records for 8 s:
#   counters  dotnet-counters System.Runtime + ASP.NET Core hosting, CSV (<out>.counters.csv): CPU and allocated bytes/s;
#   perf      perf record -g of the silo (<out>.perf.data; JIT frames resolved through DOTNET_PerfMapEnabled);
#   trace     dotnet-trace sampled thread time, Speedscope (<out>.speedscope.json);
#   fsync     strace -c of fsync/fdatasync, the silo's during the OTLP run, then Prometheus' during its run.
# The load generator's summary is <out>.load.txt. Needs dotnet-counters / dotnet-trace (dotnet tool install -g), perf, strace.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=$1; OUT=$2
SILO_ENV="DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0"
# shellcheck source=bench/telemetry-start.sh
. bench/telemetry-start.sh
dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll telemetry --otlp "http://127.0.0.1:$SILO_PORT" \
  --prometheus "http://127.0.0.1:$PROM_PORT" --seconds 14 --runs 1 --kind sum >"$OUT.load.txt" 2>&1 &
LOAD=$!
sleep 4.5
case "$MODE" in
  counters) dotnet-counters collect -p "$SILO_PID" --counters System.Runtime,Microsoft.AspNetCore.Hosting --refresh-interval 1 \
              --duration 00:00:00:08 --format csv -o "$OUT.counters.csv" >/dev/null ;;
  perf) perf record -F 999 -g -p "$SILO_PID" -o "$OUT.perf.data" -- sleep 8 >/dev/null 2>&1 ;;
  trace) dotnet-trace collect -p "$SILO_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:08 --format Speedscope \
           -o "$OUT.nettrace" >/dev/null ;;
  fsync)
    strace -f -c -e trace=fsync,fdatasync -p "$SILO_PID" -o "$OUT.strace-silo.txt" & TRACER=$!
    sleep 8; kill -INT "$TRACER"; wait "$TRACER" || true; sleep 8
    strace -f -c -e trace=fsync,fdatasync -p "$PROM_PID" -o "$OUT.strace-prometheus.txt" & TRACER=$!
    sleep 8; kill -INT "$TRACER"; wait "$TRACER" || true ;;
  *) echo "mode: counters, perf, trace or fsync" >&2; exit 2 ;;
esac
wait "$LOAD" || true
cat "$OUT.load.txt"
