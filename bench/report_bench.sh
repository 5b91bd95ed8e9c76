#!/usr/bin/env bash
# report.html's load time in headless Chromium: a made-up run of 50 lanes
# and 300 faults against the baseline, a run of one lane and no fault,
# measured in the same invocation. Each report loads RUNS times; the figure
# is the median of the page's own performance.now() when its script ends
# (data-load-ms), and of the whole browser process's wall time.
# Usage: bench/report_bench.sh [BUILD_DIR] (default build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
runs=${RUNS:-7}
command -v chromium >/dev/null || { echo "report_bench: chromium is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$build/bin/make_record" --services 10 --replicas 5 --faults 300 --clients 3 -o "$work/large.json"
"$build/bin/make_record" --services 1 --replicas 1 --faults 0 -o "$work/small.json"
"$build/bin/chancho" report "$work/large.json" -o "$work/large.html" >/dev/null
"$build/bin/chancho" report "$work/small.json" -o "$work/small.html" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load() {  # FILE -> "load_ms wall_ms" per run
  local file=$1 i start end dom
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/profile"
    start=$(date +%s%N)
    dom=$(chromium --headless --no-sandbox --disable-gpu --no-first-run \
      --disable-extensions --disable-background-networking \
      --user-data-dir="$work/profile" --dump-dom "file://$file" 2>/dev/null)
    end=$(date +%s%N)
    printf '%s %s\n' "$(sed -n 's/.*data-load-ms="\([0-9]*\)".*/\1/p' <<<"$dom" | head -1)" \
      $(((end - start) / 1000000))
  done
}

echo "machine: $(nproc) cores, $(uname -srm); chromium: $(chromium --version 2>/dev/null)"
echo "report sizes: large $(stat -c %s "$work/large.html") bytes, small $(stat -c %s "$work/small.html") bytes"
load "$work/small.html" >"$work/small.txt"
load "$work/large.html" >"$work/large.txt"
stat_of() { cut -d' ' -f"$2" "$work/$1.txt" | median; }
small_load=$(stat_of small 1) small_wall=$(stat_of small 2)
large_load=$(stat_of large 1) large_wall=$(stat_of large 2)
echo "small: load ${small_load} ms (median of $runs), browser wall ${small_wall} ms"
echo "large: load ${large_load} ms (median of $runs), browser wall ${large_wall} ms"
awk -v a="$large_load" -v b="$small_load" -v c="$large_wall" -v d="$small_wall" \
  'BEGIN {printf "ratio large/small: load %.2fx, browser wall %.2fx\n", a / b, c / d}'
