#!/usr/bin/env bash
# After a failed ctest run: prints, for each failed test, the lines of its
# output that say why (GoogleTest's failure lines and the few after each),
# at most 30 lines a test, so that the cause is in the last lines of a long
# log (after the engine's report).
#   ci/failure-summary.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: ci/failure-summary.sh BUILD_DIR}
failed="$build/Testing/Temporary/LastTestsFailed.log"
log="$build/Testing/Temporary/LastTest.log"
if [ ! -s "$failed" ] || [ ! -f "$log" ]; then
  exit 0
fi
echo "---- why the failed tests failed (the whole output: $log) ----"
# LastTestsFailed.log has "NUMBER:NAME" lines.
awk -F: 'NR == FNR { failed[$2] = 1; next }
  /^[0-9]+\/[0-9]+ Test: / {
    name = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", name)
    current = (name in failed) ? name : ""; printed = 0; after = 0
    if (current != "") print "-- " current
    next
  }
  current == "" { next }
  /^<end of output>$/ { current = ""; next }
  / Failure$|^Failed$|^Value of:|^Expected|^  Actual:|^Which is:|C\+\+ exception|: error:|^\[  FAILED  \]/ {
    after = 4
  }
  after > 0 && printed < 30 { print "   " $0; printed++; after-- }
' "$failed" "$log"
