#!/usr/bin/env bash
# Makes this machine's Docker engine a one-node Swarm for the Swarm runtime
# (chancho --runtime swarm), and leaves that Swarm again.
#   ci/swarm.sh init    become a one-node Swarm manager on 127.0.0.1, unless
#                       the engine is one already; the Swarm is marked as
#                       made here, so that `leave` leaves only such a one
#   ci/swarm.sh leave   leave the Swarm that `init` made; a Swarm made
#                       otherwise is kept
#   ci/swarm.sh status  print the engine's Swarm state
# Needs a running engine (ci/start-docker.sh). Each docker command is bounded
# by ${CHANCHO_SWARM_WAIT_S:-60} seconds; a failure exits non-zero with one
# line naming the cause.
set -euo pipefail

wait_s=${CHANCHO_SWARM_WAIT_S:-60}
marker=${CHANCHO_SWARM_MARKER:-/var/tmp/chancho-swarm-made-here}

fail() {
  echo "swarm: $*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || fail "no docker CLI; run ci/install-deps.sh"

# Exit status 77: there is no engine to make a Swarm of (ctest reports the
# Swarm tests as skipped, or, with CI=true, as failed by their own check).
state() {
  if ! timeout "$wait_s" docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; then
    echo "swarm: the Docker engine does not answer; run ci/start-docker.sh" >&2
    exit 77
  fi
}

case "${1:-}" in
  init)
    current=$(state)
    if [ "$current" = active ]; then
      echo "swarm: the engine is a Swarm node already" >&2
      exit 0
    fi
    [ "$current" = inactive ] || fail "the engine's Swarm state is '$current'; expected inactive or active"
    out=$(timeout "$wait_s" docker swarm init --advertise-addr 127.0.0.1 2>&1) ||
      fail "docker swarm init failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
    touch "$marker"
    echo "swarm: this engine is now a one-node Swarm manager" >&2
    ;;
  leave)
    if [ ! -e "$marker" ]; then
      echo "swarm: no Swarm made by ci/swarm.sh init; nothing to leave" >&2
      exit 0
    fi
    if [ "$(state)" = active ]; then
      out=$(timeout "$wait_s" docker swarm leave --force 2>&1) ||
        fail "docker swarm leave failed: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
    fi
    rm -f "$marker"
    echo "swarm: left the one-node Swarm" >&2
    ;;
  status)
    state
    ;;
  *)
    echo "usage: ci/swarm.sh init|leave|status" >&2
    exit 2
    ;;
esac
