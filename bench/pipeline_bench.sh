#!/usr/bin/env bash
# End-to-end throughput of the movies pipeline on the `large` preset (about
# 45k movies and 5.2M ratings), side by side with the single-process
# reference, in one invocation:
#   1. movies-reference over the dataset;
#   2. system/movies/compose-spec.json (3 replicas per replicable stage) on
#      ProcessRuntime, without its client service; then one movies-client,
#      then three concurrent clients on the same dataset.
# Each is run REPEAT times (default 3), alternating, and the median counts.
# Times cover the upload and the five queries, not the broker's start.
# Every client's results must equal the reference's, or the run fails.
# It also prints the CPU time that the broker, the client-handler and the
# pipeline nodes used during the one-client runs (median), which says where
# the time goes.
#
#   bench/pipeline_bench.sh [BUILD_DIR] [REPEAT]   (default build-bench 3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
repeat=${2:-3}
case $build in /*) bin="$build/bin" ;; *) bin="$PWD/$build/bin" ;; esac
for tool in chancho movies-datagen movies-reference movies-client movies-node client-handler; do
  [ -x "$bin/$tool" ] || { echo "$bin/$tool: not built" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/chancho-pipeline-bench.XXXXXX")
run=
cleanup() {
  [ -n "$run" ] && "$bin/chancho" down --run "$run" --grace 5000 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rate() { awk -v rows="$1" -v ms="$2" 'BEGIN { printf "%.0f", rows / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
gen=$("$bin/movies-datagen" --preset large --seed 42 --out "$work/data" 2>&1 | tail -n 1)
rows=$(sed -n 's/.*movies: \([0-9]*\) | credits: \([0-9]*\) | ratings: \([0-9]*\).*/\1 \2 \3/p' <<<"$gen" |
  awk '{ print $1 + $2 + $3 }')
echo "dataset: large, seed 42, $rows rows, $(du -sh "$work/data" | cut -f1)"

# The median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs the reference; prints its wall time in ms.
reference() {
  local start
  start=$(now_ms)
  "$bin/movies-reference" --data "$work/data" --out "$work/reference" >/dev/null
  echo $(($(now_ms) - start))
}

python3 - "$work/spec.json" <<'PY2'
import json, sys
spec = json.load(open("system/movies/compose-spec.json"))
spec["services"] = [s for s in spec["services"] if s["role"] != "client"]
json.dump(spec, open(sys.argv[1], "w"))
PY2
up=$(cd "$work" && "$bin/chancho" up spec.json --detach --runs-root "$work/runs")
run=$(sed -n 's/.*| run: \(.*\)$/\1/p' <<<"$up" | tail -n 1)

# CPU ticks so far of the run's broker, client-handler and nodes, as
# "broker handler nodes".
cpu_ticks() {
  local f stat comm fields broker=0 handler=0 nodes=0
  for f in /proc/[0-9]*/stat; do
    stat=$(cat "$f" 2>/dev/null) || continue
    comm=${stat#*(}
    comm=${comm%%)*}
    read -ra fields <<<"${stat##*) }"
    case $comm in
      beam.smp) broker=$((broker + fields[11] + fields[12])) ;;
      client-handler) handler=$((handler + fields[11] + fields[12])) ;;
      movies-node) nodes=$((nodes + fields[11] + fields[12])) ;;
    esac
  done
  echo "$broker $handler $nodes"
}

# Runs N concurrent clients, with ids prefixed TAG; prints the wall time in
# ms.
clients() {
  local n=$1 tag=$2 start pids=() i
  start=$(now_ms)
  for i in $(seq 1 "$n"); do
    CHANCHO_HOSTS_FILE="$run/hosts" "$bin/movies-client" --id "$tag-$i" \
      --data "$work/data" --results "$work/results" \
      --handler client-handler:12345 --timeout 30m >"$work/$tag-$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  echo $(($(now_ms) - start))
  for i in $(seq 1 "$n"); do
    diff -r "$work/reference" "$work/results/$tag-$i" >/dev/null ||
      { echo "client $tag-$i: results differ from the reference" >&2; exit 1; }
  done
}

ref_runs=() one_runs=() three_runs=() cpu_runs=()
for r in $(seq 1 "$repeat"); do
  ref_runs+=("$(reference)")
  before=$(cpu_ticks)
  one_runs+=("$(clients 1 "one$r")")
  after=$(cpu_ticks)
  cpu_runs+=("$(paste -d' ' <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") |
    awk '{ printf "%s%d", (NR > 1 ? " " : ""), $2 - $1 }')")
  three_runs+=("$(clients 3 "three$r")")
  echo "round $r of $repeat: reference ${ref_runs[-1]} ms, 1 client ${one_runs[-1]} ms, 3 clients ${three_runs[-1]} ms"
done
ref_ms=$(printf '%s\n' "${ref_runs[@]}" | median)
one_ms=$(printf '%s\n' "${one_runs[@]}" | median)
three_ms=$(printf '%s\n' "${three_runs[@]}" | median)
hz=$(getconf CLK_TCK)
cpu_of() {  # column K of the one-client CPU ticks, median, in seconds
  printf '%s\n' "${cpu_runs[@]}" | awk -v k="$1" '{ print $k }' | median |
    awk -v hz="$hz" '{ printf "%.2f", $1 / hz }'
}

printf '\n%-34s %10s %12s %14s\n' "run (median of $repeat)" "seconds" "rows/s" "vs reference"
printf '%-34s %10.2f %12s %14s\n' "reference (one process)" "$(ratio "$ref_ms" 1000)" "$(rate "$rows" "$ref_ms")" "1.00x"
printf '%-34s %10.2f %12s %14s\n' "pipeline, 1 client" "$(ratio "$one_ms" 1000)" "$(rate "$rows" "$one_ms")" "$(ratio "$ref_ms" "$one_ms")x"
printf '%-34s %10.2f %12s %14s\n' "pipeline, 3 clients (3x the rows)" "$(ratio "$three_ms" 1000)" "$(rate $((rows * 3)) "$three_ms")" "$(ratio $((ref_ms * 3)) "$three_ms")x"
echo "3 clients took $(ratio "$three_ms" "$one_ms")x the time of 1 client for 3x the work"
echo "CPU during 1 client (median): broker $(cpu_of 1) s, client-handler $(cpu_of 2) s, nodes $(cpu_of 3) s"
