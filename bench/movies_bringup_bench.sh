#!/usr/bin/env bash
# Bring-up of the whole movies system (system/movies/compose-spec.json: the
# broker, 3 replicas per stage, the masters, 3 health-checkers, the
# client-handler and 3 clients) to all-ready, on each of RUNTIMES (default:
# process docker), in turns, ROUNDS times each: the wall time of
# `chancho up --detach`, which returns once every replica's readiness check
# passed; then `chancho down`, not counted. Prints each figure, the medians
# and each median's ratio to the first runtime's (the baseline).
# Needs the Docker engine and the images (ci/start-docker.sh,
# ci/build-images.sh BUILD_DIR) and the client datasets in
# system/movies/data (make demo or movies-datagen makes them). With swarm
# among the runtimes, the engine is made a one-node Swarm (ci/swarm.sh) for
# the run and left again after it, unless it was one already.
# Usage: bench/movies_bringup_bench.sh BUILD_DIR [ROUNDS [RUNTIME...]]
#   e.g. bench/movies_bringup_bench.sh build 3 docker swarm
set -euo pipefail
build=$(cd "${1:?usage: bench/movies_bringup_bench.sh BUILD_DIR [ROUNDS [RUNTIME...]]}" && pwd)
rounds=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
runtimes=("$@")
[ ${#runtimes[@]} -gt 0 ] || runtimes=(process docker)
cd "$(dirname "$0")/.."
spec=system/movies/compose-spec.json
work=$(mktemp -d)
cleanup() {
  for run in "$work"/runs/*/; do
    [ -e "$run/control" ] && "$build/bin/chancho" down --run "$run" >/dev/null 2>&1
  done
  rm -rf "$work"
  [ -z "${made_swarm:-}" ] || bash ci/swarm.sh leave
}
trap cleanup EXIT

if [[ " ${runtimes[*]} " == *" swarm "* ]] && [ "$(bash ci/swarm.sh status)" != active ]; then
  bash ci/swarm.sh init
  made_swarm=1
fi

for c in client-1 client-2 client-3; do
  [ -f "system/movies/data/$c/ratings.csv" ] ||
    "$build/bin/movies-datagen" --preset small --seed $((41 + ${c#client-})) \
      --out "system/movies/data/$c" >/dev/null
done

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times
for round in $(seq "$rounds"); do
  for runtime in "${runtimes[@]}"; do
    start=$(date +%s%N)
    "$build/bin/chancho" up "$spec" --detach --runtime "$runtime" \
      --runs-root "$work/runs" >"$work/up.log" 2>&1 ||
      { cat "$work/up.log"; exit 1; }
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    run=$(ls -td "$work"/runs/*/ | head -1)
    "$build/bin/chancho" down --run "$run" --grace 5000 >/dev/null
    echo "round $round: $runtime: bring-up to all-ready ${ms} ms"
    times[$runtime]+="$ms "
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=${runtimes[0]}
b=$(echo "${times[$base]}" | median)
for runtime in "${runtimes[@]}"; do
  m=$(echo "${times[$runtime]}" | median)
  echo "median: $runtime ${m} ms, $runtime/$base $(awk -v m="$m" -v b="$b" 'BEGIN {printf "%.2fx", m / b}')"
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
