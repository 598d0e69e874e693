#!/usr/bin/env bash
# OTLP ingestion throughput (POST /otlp/v1/metrics, protobuf, 1,000 points per request) next to a real Prometheus's
# own remote-write receiver (POST /api/v1/write) fed the same points, in one run: medians of 3 runs each and the ratio.
# Usage: bench/telemetry.sh [seconds-per-run] — starts the silo (Release, temporary SQLite) and
# `prometheus --web.enable-remote-write-receiver` (temporary TSDB) on free 127.0.0.1 ports, runs histogram and sum
# payloads, stops everything. About 60 s on an idle 2-core machine at the default of 3 s per run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-3}
# shellcheck source=bench/telemetry-start.sh
. bench/telemetry-start.sh
nproc | xargs printf 'cores: %s, ' ; prometheus --version 2>&1 | head -n 1
for kind in histogram sum; do
  dotnet bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll telemetry --otlp "http://127.0.0.1:$SILO_PORT" \
    --prometheus "http://127.0.0.1:$PROM_PORT" --seconds "$SECONDS_PER_RUN" --runs 3 --kind "$kind"
done
