#!/usr/bin/env bash
# Runs every benchmark of build-bench/ (make bench builds it). Arguments go
# to runtime_bench (e.g. --benchmark_filter=...).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(uname -srm)"
build-bench/bin/runtime_bench --benchmark_counters_tabular=true "$@"
# The TCP fault proxy beside a direct connection and socat (about 30 s).
build-bench/bin/proxy_bench
# The comparator beside cmp on 1 GB pairs (about 1.5 minutes, 4 GB of
# temporary files).
bench/compare_bench.sh build-bench
bench/pipeline_bench.sh build-bench
bench/chaos_bench.sh build-bench
bench/report_bench.sh build-bench
# chancho shrink on the planted bug against one run (several minutes).
bench/shrink_bench.sh build-bench
