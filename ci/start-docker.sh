#!/usr/bin/env bash
# Starts the Docker engine when it is not answering, and waits until it does.
# Idempotent and quiet when the engine already answers. Needs root (or sudo)
# to start dockerd; the daemon runs in the background with its log in
# ${CHANCHO_DOCKERD_LOG:-/var/log/chancho-dockerd.log}.
# Waits at most ${CHANCHO_DOCKER_WAIT_S:-60} seconds; exits non-zero with one
# line naming the cause otherwise.
# Usage: ci/start-docker.sh
set -euo pipefail

log=${CHANCHO_DOCKERD_LOG:-/var/log/chancho-dockerd.log}
wait_s=${CHANCHO_DOCKER_WAIT_S:-60}

fail() {
  echo "start-docker: $*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || fail "no docker CLI; run ci/install-deps.sh"

answers() { timeout 10 docker info >/dev/null 2>&1; }

answers && exit 0

command -v dockerd >/dev/null 2>&1 || fail "no dockerd; run ci/install-deps.sh"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "dockerd must be started as root, and there is no sudo"
  sudo_cmd=(sudo -n)
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "start-docker: starting dockerd (log: $log)" >&2
  # setsid: the daemon must not die with this script's session or its
  # process group (ctest, CI step).
  "${sudo_cmd[@]}" mkdir -p "$(dirname "$log")"
  "${sudo_cmd[@]}" setsid dockerd >>"$log" 2>&1 </dev/null &
  disown || true
fi

deadline=$((SECONDS + wait_s))
until answers; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    cause=$(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ' | cut -c1-300)
    fail "docker info did not answer within ${wait_s} s; last dockerd log lines: ${cause:-none}"
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    cause=$(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ' | cut -c1-300)
    fail "dockerd exited; last log lines: ${cause:-none}"
  fi
  sleep 0.5
done
echo "start-docker: docker engine is up" >&2
