#!/usr/bin/env bash
# Chancho as another project uses it: installs BUILD_DIR's build into a
# temporary prefix, then configures, builds and tests examples/kv-cluster
# against that prefix alone (find_package(chancho)). Its Docker cases need
# the image kv-cluster/kv:latest, built here from chancho/base:bookworm when
# an engine answers. Everything temporary is removed on exit.
#
#   ci/test-example.sh BUILD_DIR
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: ci/test-example.sh BUILD_DIR (a configured, built Chancho)" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
example=$root/examples/kv-cluster
work=$(mktemp -d "${TMPDIR:-/tmp}/chancho-example.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf 'test-example: %s (%ds)\n' "$1" "$SECONDS"; }

step "installing Chancho into $work/prefix"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null

step "configuring the example against the installed package"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$example" -B "$work/build" "${generator[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

step "building the example"
cmake --build "$work/build" -j 2 >/dev/null

if docker info >/dev/null 2>&1 && docker image inspect chancho/base:bookworm >/dev/null 2>&1; then
  step "building the image kv-cluster/kv:latest"
  if ! docker build -q -t kv-cluster/kv:latest "$example" >/dev/null 2>"$work/docker-build.log"; then
    cat "$work/docker-build.log" >&2
    exit 1
  fi
else
  step "no engine or no chancho/base:bookworm: the Docker cases will skip (or fail when CI=true)"
fi

step "configuring a project that embeds Chancho with add_subdirectory"
mkdir -p "$work/embed"
cat >"$work/embed/CMakeLists.txt" <<EMBED
cmake_minimum_required(VERSION 3.25)
project(embeds_chancho LANGUAGES CXX)
add_subdirectory("$root" chancho)
foreach(target chancho::harness chancho::fixtures chancho::chancho)
  if(NOT TARGET \${target})
    message(FATAL_ERROR "add_subdirectory gives no \${target}")
  endif()
endforeach()
# Embedded, Chancho builds neither its systems nor its tests.
foreach(target tp0_server movies_node spec_test)
  if(TARGET \${target})
    message(FATAL_ERROR "an embedded Chancho defines \${target}")
  endif()
endforeach()
EMBED
cmake -S "$work/embed" -B "$work/embed/build" "${generator[@]}" >/dev/null

step "running the example's tests"
# The example's run directories go under its build directory, which goes
# with $work.
ctest --test-dir "$work/build" --output-on-failure --no-tests=error
step "done"
