#!/usr/bin/env bash
# Runs the tests of a sanitizer preset (asan or tsan, CMakePresets.json)
# and fails when a test fails or any process of the run, the tests' own or
# a replica they started, left a sanitizer report. The presets' *SAN_OPTIONS
# send every report to BUILD/sanitizer-reports/ (log_path), so a report of a
# replica whose exit nobody checks is not lost.
# Usage: ci/test-sanitized.sh asan|tsan
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
preset=${1:?usage: ci/test-sanitized.sh asan|tsan}
case $preset in
  asan | tsan) ;;
  *) echo "ci/test-sanitized.sh: unknown preset '$preset' (asan or tsan)" >&2; exit 2 ;;
esac
build=build-$preset
reports=$build/sanitizer-reports
if [ ! -d "$build" ]; then
  echo "ci/test-sanitized.sh: $build is missing: run cmake --preset $preset && cmake --build --preset $preset" >&2
  exit 2
fi
rm -rf "$reports"
mkdir -p "$reports"
started=$(date +%s)
ctest --preset "$preset"
status=$?
[ $status -eq 0 ] || bash ci/failure-summary.sh "$build"
found=$(find "$reports" -type f | sort)
if [ -n "$found" ]; then
  echo "$preset: $(echo "$found" | wc -l) sanitizer report(s):" >&2
  for report in $found; do
    echo "==== $report" >&2
    head -n 80 "$report" >&2
  done
  status=1
fi
echo "$preset: tests took $(( $(date +%s) - started )) s; $( [ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
