#!/usr/bin/env bash
# Regenerates known-good-results/movies/<preset>-<seed>/query{1..5}.txt with
# the single-process reference, from data made by movies-datagen.
#
#   system/movies/make-known-good.sh BUILD_DIR
#
# BUILD_DIR is a configured and built CMake build directory (its bin/ holds
# movies-datagen and movies-reference). Commit the changed files together
# with the change that explains them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
bin="$1/bin"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for tool in movies-datagen movies-reference; do
  if [[ ! -x "$bin/$tool" ]]; then
    echo "$bin/$tool: not found; build the movies_datagen and movies_reference targets" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# small-43 and small-44 are the datasets of the second and third client of
# the pipeline tests: every client uploads a different dataset.
for name in tiny-42 small-42 small-43 small-44; do
  preset="${name%-*}"
  seed="${name##*-}"
  "$bin/movies-datagen" --preset "$preset" --seed "$seed" --out "$work/$name"
  "$bin/movies-reference" --data "$work/$name" \
    --out "$repo/known-good-results/movies/$name"
done
