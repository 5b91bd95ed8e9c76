#!/usr/bin/env bash
# After a failed `make test`: packs what the failure needs with
# `chancho collect` (the test runs kept under BUILD_DIR, ctest's log, the
# engine's report, the versions) into BUILD_DIR/failure-bundle.tar.gz, and
# prints its path.
#   ci/collect-failure.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: ci/collect-failure.sh BUILD_DIR}
dirs=()
for d in "$build/test-runs" "$build/test-cli" "$build/test-chaos" \
         "$build/Testing/Temporary"; do
  [ -d "$d" ] && dirs+=("$d")
done
if [ ! -x "$build/bin/chancho" ] || [ ${#dirs[@]} -eq 0 ]; then
  echo "collect-failure: nothing to collect" >&2
  exit 0
fi
if "$build/bin/chancho" collect "${dirs[@]}" -o "$build/failure-bundle.tar.gz" >/dev/null; then
  echo "the failure bundle (logs, records, engine report, versions): $build/failure-bundle.tar.gz" >&2
fi
