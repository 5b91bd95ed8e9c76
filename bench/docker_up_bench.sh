#!/usr/bin/env bash
# tp0 with 10 clients, up to all-ready, under Docker: `chancho up tp0
# --clients 10 --runtime docker --detach` (which returns once every replica's
# readiness check passed) against `docker-compose up -d` of the compose file
# that chancho generated for the same system, followed by the same readiness
# wait (the server's "accept_connections | result: in_progress" line, read
# with `docker logs` every 10 ms). In turns, ROUNDS times each; the
# teardowns are not counted. Prints each figure, the medians and their
# ratio (compose / chancho: above 1.0x, chancho is faster).
# Needs the Docker engine and the images (ci/start-docker.sh,
# ci/build-images.sh BUILD_DIR).
# Usage: bench/docker_up_bench.sh BUILD_DIR [ROUNDS]
set -euo pipefail
build=$(cd "${1:?usage: bench/docker_up_bench.sh BUILD_DIR [ROUNDS]}" && pwd)
rounds=${2:-5}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
compose=(docker-compose)
docker compose version >/dev/null 2>&1 && compose=(docker compose)
project=""
cleanup() {
  [ -n "$project" ] && "${compose[@]}" -p "$project" -f "$work/compose.yaml" \
    down -t 0 >/dev/null 2>&1
  for run in "$work"/runs/*/; do
    [ -e "$run/control" ] && "$build/bin/chancho" down --run "$run" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("${compose[@]}" version --short 2>/dev/null || true)"
declare -A times
for round in $(seq "$rounds"); do
  start=$(now_ms)
  "$build/bin/chancho" up tp0 --clients 10 --runtime docker --detach \
    --runs-root "$work/runs" >"$work/up.log" 2>&1 ||
    { cat "$work/up.log"; exit 1; }
  ms=$(( $(now_ms) - start ))
  run=$(ls -td "$work"/runs/*/ | head -1)
  cp "$run/docker-compose.yaml" "$work/compose.yaml"
  "$build/bin/chancho" down --run "$run" --grace 2000 >/dev/null
  echo "round $round: chancho up: ${ms} ms"
  times[chancho]+="$ms "

  # The same file under a project of its own; its container names are the
  # ones chancho gave (container_name), free again after the down.
  project="bench-compose-$round-$$"
  server=$(sed -n 's/^ *container_name: *\(.*-server\)$/\1/p' "$work/compose.yaml" | head -1)
  start=$(now_ms)
  "${compose[@]}" -p "$project" -f "$work/compose.yaml" up -d --no-build \
    >"$work/compose.log" 2>&1 || { cat "$work/compose.log"; exit 1; }
  deadline=$(( $(now_ms) + 30000 ))
  until docker logs "$server" 2>&1 |
      grep -q 'action: accept_connections | result: in_progress'; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "server never ready" >&2; exit 1; }
    sleep 0.01
  done
  ms=$(( $(now_ms) - start ))
  "${compose[@]}" -p "$project" -f "$work/compose.yaml" down -t 0 >/dev/null 2>&1
  project=""
  echo "round $round: ${compose[*]} up -d + wait: ${ms} ms"
  times[compose]+="$ms "
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=$(echo "${times[chancho]}" | median)
b=$(echo "${times[compose]}" | median)
echo "median: chancho ${c} ms, compose ${b} ms, compose/chancho $(awk -v c="$c" -v b="$b" 'BEGIN {printf "%.2fx", b / c}')"
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
