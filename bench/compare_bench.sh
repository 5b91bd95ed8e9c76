#!/usr/bin/env bash
# Comparator throughput: `chancho compare` on a 1 GB pair of result files,
# beside `cmp` on the same files in the same invocation.
#
# Usage: bench/compare_bench.sh [BUILD_DIR]   (default: build-bench)
# BUILD_DIR/bin must hold chancho and make_lines (bench/make_lines.cc).
# CHANCHO_COMPARE_BENCH_BYTES sets the file size (default 1000000000).
#
# Writes, in a temporary directory that is removed on exit (Ctrl-C too), a
# known-good file of result-like lines and three results of the same size:
#   identical  the same bytes;
#   last-line  only the last line differs, so every byte must be read;
#   swapped    the first two lines swapped: the bytes differ at once, so
#              exact mode diffs every line and --unordered hashes every line.
# Each command runs once untimed (page cache warm, checked with fincore),
# then 3 times; the best wall time counts. MB/s is 10^6 bytes of one file
# per second, and the ratio is against cmp on the same pair (the swapped
# pair, which cmp settles at byte 1, against cmp on the identical pair).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$repo/build-bench}"
bytes="${CHANCHO_COMPARE_BENCH_BYTES:-1000000000}"
runs=3
chancho="$build/bin/chancho"
make_lines="$build/bin/make_lines"
for bin in "$chancho" "$make_lines"; do
  if [ ! -x "$bin" ]; then
    echo "compare_bench: $bin is missing; build it with" \
      "cmake --build $build --target chancho make_lines" >&2
    exit 2
  fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/chancho-compare-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Four files of $bytes, plus a margin.
need_kib=$((bytes * 4 / 1024 + 65536))
free_kib="$(df -Pk "$tmp" | awk 'NR == 2 { print $4 }')"
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "compare_bench: $tmp has $free_kib KiB free, needs $need_kib" >&2
  exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo |
  cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
  "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $bytes bytes each, in $tmp"

start=$(date +%s)
kg="$tmp/known-good"
mkdir -p "$kg" "$tmp"/{identical,last-line,swapped}/client1
"$make_lines" "$kg/query1.txt" "$bytes"
cp "$kg/query1.txt" "$tmp/identical/client1/query1.txt"
last="$tmp/last-line/client1/query1.txt"
cp "$kg/query1.txt" "$last"
# make_lines ends the file with "the end|1\n": make that 1 a 2.
if [ "$(tail -n 1 "$last")" != "the end|1" ]; then
  echo "compare_bench: $last does not end with 'the end|1'" >&2
  exit 1
fi
printf 2 | dd of="$last" bs=1 seek=$(($(stat -c %s "$last") - 2)) \
  conv=notrunc status=none
{
  sed -n 2p "$kg/query1.txt"
  sed -n 1p "$kg/query1.txt"
  tail -n +3 "$kg/query1.txt"
} >"$tmp/swapped/client1/query1.txt"
echo "lines: $(wc -l <"$kg/query1.txt"), written in $(($(date +%s) - start)) s"

# The share of both files' bytes in the page cache.
cached() {
  if ! command -v fincore >/dev/null; then
    echo "?"
    return
  fi
  fincore --bytes --noheadings --output RES "$@" |
    awk -v size="$bytes" '{ sum += $1 } END { printf "%.0f%%", 100 * sum / (NR * size) }'
}

# run EXPECTED_EXIT COMMAND...: runs it (output discarded) and prints its
# wall time in ns; fails unless it exits with EXPECTED_EXIT (0: match,
# 1: mismatch).
run() {
  local expected="$1" t0 t1 status=0
  shift
  t0=$(date +%s%N)
  "$@" >/dev/null || status=$?
  t1=$(date +%s%N)
  if [ "$status" -ne "$expected" ]; then
    echo "compare_bench: '$*' exited with $status, expected $expected" >&2
    return 1
  fi
  echo $((t1 - t0))
}

declare -A cmp_ns
# measure PAIR LABEL EXPECTED_EXIT COMMAND...: one untimed run, then the
# best of $runs, as a table row.
measure() {
  local pair="$1" label="$2" expected="$3"
  shift 3
  run "$expected" "$@" >/dev/null
  local warm best="" ns i
  warm="$(cached "$kg/query1.txt" "$tmp/$pair/client1/query1.txt")"
  for ((i = 0; i < runs; ++i)); do
    ns="$(run "$expected" "$@")"
    if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best="$ns"; fi
  done
  if [ "$label" = cmp ]; then cmp_ns[$pair]="$best"; fi
  local base="${cmp_ns[$pair]:-${cmp_ns[identical]}}"
  awk -v pair="$pair" -v label="$label" -v ns="$best" -v base="$base" \
    -v bytes="$bytes" -v warm="$warm" 'BEGIN {
      printf "| %-9s | %-27s | %6.3f s | %5.0f MB/s | %5.2fx | %4s |\n",
        pair, label, ns / 1e9, bytes / (ns / 1e3), base / ns, warm }'
}

echo
echo "| pair      | command                     | best of $runs | throughput | vs cmp | cached |"
echo "|---|---|---|---|---|---|"
for pair in identical last-line swapped; do
  result="$tmp/$pair/client1/query1.txt"
  match=$([ "$pair" = identical ] && echo 0 || echo 1)
  if [ "$pair" != swapped ]; then
    measure "$pair" cmp "$match" cmp "$kg/query1.txt" "$result"
  fi
  measure "$pair" "chancho compare" "$match" \
    "$chancho" compare "$tmp/$pair" "$kg"
  # Unordered, the swapped pair holds the same lines.
  [ "$pair" = swapped ] && match=0
  measure "$pair" "chancho compare --unordered" "$match" \
    "$chancho" compare --unordered "$tmp/$pair" "$kg"
done
echo
echo "swapped: cmp stops at byte 1, so its ratio is against cmp on the identical pair."
echo "total: $(($(date +%s) - start)) s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
