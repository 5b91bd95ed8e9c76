#!/usr/bin/env bash
# What `chancho shrink` costs on the movies pipeline's planted bug
# (integration_tests/scenarios/movies-planted-bug.json), against its
# baseline measured in the same invocation: one run of the scenario (the
# failing run that the shrink starts from). Prints the faults before and
# after, the candidates and runs it took, and its time as a multiple of
# the one run.
# Usage: bench/shrink_bench.sh [BUILD_DIR] (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build_abs=$(cd "${1:-build-bench}" && pwd)
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "machine: $(nproc) cores, $(uname -srm)"
start=$(date +%s%N)
if "$build_abs/bin/chancho" run --quiet "$root/integration_tests/scenarios/movies-planted-bug.json" >run.txt 2>&1; then
  echo "shrink_bench: the planted bug did not fail the run; nothing to shrink" >&2
  exit 1
fi
run_ms=$((($(date +%s%N) - start) / 1000000))
record=$(find .chancho/runs -name record.json | head -1)

start=$(date +%s%N)
"$build_abs/bin/chancho" shrink "$record" -o "$work/shrunk" >shrink.txt
shrink_ms=$((($(date +%s%N) - start) / 1000000))
python3 - "$work/shrunk/shrink.json" "$run_ms" "$shrink_ms" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
run_ms, shrink_ms = int(sys.argv[2]), int(sys.argv[3])
print(f"one failing run (baseline): {run_ms / 1000:.1f} s")
print(f"shrink: {s['faults_before']} -> {s['faults_after']} faults "
      f"({'1-minimal' if s['minimal_proven'] else 'not proven'}), "
      f"{s['candidates']} candidates, {s['runs']} runs, {shrink_ms / 1000:.1f} s")
print(f"shrink / one run: {shrink_ms / run_ms:.1f}x; per run: {shrink_ms / s['runs'] / 1000:.1f} s")
print("minimal: " + "; ".join(s["minimal"]))
PY
