#!/usr/bin/env bash
# Makes the Docker-labelled tests runnable: starts the engine when it is not
# running and builds the images (no registry) from BUILD_DIR's binaries.
# Usage: ci/prepare-docker.sh BUILD_DIR
# On failure it says why in one line and exits non-zero; the Docker tests
# then report SKIPPED with the reason, or fail when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: ci/prepare-docker.sh BUILD_DIR}
bash ci/start-docker.sh
bash ci/build-images.sh "$build"
