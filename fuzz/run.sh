#!/usr/bin/env bash
# Builds the fuzz targets (preset fuzz: clang, libFuzzer, ASan, UBSan) and
# runs each for SECONDS (default 60) on a copy of its seed corpus
# (fuzz/corpus/<target>/, with fuzz/dict/ where one fits). Prints and writes
# build-fuzz/fuzz-report.md: executions, executions per second and new
# corpus entries per target. A crash, leak or UBSan report stops with the
# reproducer in build-fuzz/crashes/<target>/ and a non-zero exit.
# FUZZ_REPORT names another report file, and FUZZ_APPEND=1 adds to it.
# With FUZZ_NO_BUILD=1 the targets must be built already (make test builds
# them; its fuzz_smoke test runs them this way for a few seconds each).
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec scenario record csv python_literal frames control docker toxiproxy)
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  command -v clang++ >/dev/null || { echo "fuzz: clang is not installed (ci/install-deps.sh)" >&2; exit 1; }
  echo "fuzz: building the targets (preset fuzz, build-fuzz/)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi
for t in "${targets[@]}"; do
  [ -x build-fuzz/bin/fuzz_"$t" ] || {
    echo "fuzz: build-fuzz/bin/fuzz_$t is missing: build it with make fuzz-build (or cmake --build --preset fuzz)" >&2
    exit 1
  }
done

declare -A dicts=([spec]=json [scenario]=json [record]=json [python_literal]=python_literal
                  [control]=control [docker]=json [toxiproxy]=json)
report=${FUZZ_REPORT:-build-fuzz/fuzz-report.md}
if [ "${FUZZ_APPEND:-0}" != 1 ] || [ ! -s "$report" ]; then
  {
    echo "| target | seconds | executions | exec/s | corpus (seed -> end) | result |"
    echo "|---|---|---|---|---|---|"
  } >"$report"
fi
failed=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  crashes=build-fuzz/crashes/$t
  mkdir -p "$work" "$crashes"
  cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  seed=$(find fuzz/corpus/"$t" -type f | wc -l)
  dict=()
  [ -n "${dicts[$t]:-}" ] && dict=(-dict="fuzz/dict/${dicts[$t]}.dict")
  log=build-fuzz/fuzz-$t.log
  echo "fuzz: $t for $seconds s"
  result=ok
  if ! build-fuzz/bin/fuzz_"$t" "$work" "${dict[@]}" -max_total_time="$seconds" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$crashes/" >"$log" 2>&1; then
    result="FAILED (see $log, $crashes/)"
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  end=$(find "$work" -type f | wc -l)
  echo "| $t | $seconds | ${runs:-?} | ${rate:-?} | $seed -> $end | $result |" | tee -a "$report"
done
echo "fuzz: report in $report"
exit "$failed"
