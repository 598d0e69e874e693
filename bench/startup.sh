#!/usr/bin/env bash
# Silo start time: from process start to the first 200 of GET /readyz, on SQLite (the default `dotnet run` storage),
# with the built Release dll, alternating between the silos compared so that machine load hits them alike. Also the CPU
# time the process used until then (user + system, from /proc), which a busy machine changes far less than wall time.
#
#   bench/startup.sh [runs=5] [name=path/to/Verification.Silo.dll ...]
#
# Without silos named, measures this tree's build (building it first). Each run starts on a new database file (first
# start: schema created) and then once more on the same file (restart: schema current), so both are measured.
# Example, against the pre-Orleans runtime at its last commit (a worktree of 8c491dc at /tmp/old):
#   (cd /tmp/old && dotnet build -c Release silo/Verification.Silo)
#   bench/startup.sh 5 before=/tmp/old/silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll \
#                      after=silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
silos=("$@")
if [ ${#silos[@]} -eq 0 ]; then
  dotnet build -c Release silo/Verification.Silo -v quiet -nologo >/dev/null
  silos=("now=silo/Verification.Silo/bin/Release/net10.0/Verification.Silo.dll")
fi

work=$(mktemp -d /tmp/verification-startup.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# "wall-ms cpu-ms": from exec to the first /readyz 200, and the CPU the process used by then; the silo is then stopped
# (SIGTERM, waited for).
measure() {
  local dll=$1 db=$2 port start now cpu
  port=$(free_port)
  start=$(date +%s%N)
  dotnet "$dll" --urls "http://127.0.0.1:$port" --Storage:ConnectionString "Data Source=$db" \
    --Cluster:SiloPort 0 --Cluster:GatewayPort 0 >"$work/silo.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
    kill -0 "$pid" 2>/dev/null || { echo "silo exited; log:" >&2; cat "$work/silo.log" >&2; exit 1; }
    sleep 0.02
  done
  now=$(date +%s%N)
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "$(( (now - start) / 1000000 )) $cpu"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A first restart firstcpu restartcpu
for r in $(seq 1 "$runs"); do
  for silo in "${silos[@]}"; do
    name=${silo%%=*}; dll=${silo#*=}
    db="$work/$name-$r.db"
    read -r f fc < <(measure "$dll" "$db"); read -r s sc < <(measure "$dll" "$db")
    first[$name]+="$f "; restart[$name]+="$s "; firstcpu[$name]+="$fc "; restartcpu[$name]+="$sc "
    echo "run $r $name: new database $f ms (cpu $fc ms), restart $s ms (cpu $sc ms)"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
echo "| silo | new database: runs (ms) | **median** | CPU median | restart: runs (ms) | **median** | CPU median |"
echo "| --- | --- | ---: | ---: | --- | ---: | ---: |"
for silo in "${silos[@]}"; do
  name=${silo%%=*}
  f=${first[$name]}; s=${restart[$name]}
  echo "| $name | ${f% } | **$(med "$f")** | $(med "${firstcpu[$name]}") | ${s% } | **$(med "$s")** | $(med "${restartcpu[$name]}") |"
done
