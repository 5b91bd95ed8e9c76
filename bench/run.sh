#!/usr/bin/env bash
# Runs every benchmark of build-bench/ (make bench builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(uname -srm)"
build-bench/bin/runtime_bench --benchmark_counters_tabular=true "$@"
