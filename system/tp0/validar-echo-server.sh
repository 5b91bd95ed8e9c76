#!/bin/sh
# Checks that the tp0 echo server answers a message with the same bytes.
# The port comes from server/config.ini (next to this script), the message
# from $MESSAGE. Prints one line,
#   action: test_echo_server | result: success
#   action: test_echo_server | result: fail | reason: ...
# and exits 0 on success, 1 otherwise (a usage error too, with a message on
# stderr).
#
# - With a live chancho run (--run DIR, $CHANCHO_RUN_DIR, or the newest live
#   run under .chancho/runs of the current directory), the name "server" is
#   resolved through the run's hosts file and `chancho probe echo` does the
#   exchange, on either runtime. chancho is $CHANCHO, else the build of the
#   checkout this directory belongs to (../../build/bin/chancho), else the
#   one on PATH.
# - Otherwise, as the course template's script did with alpine and nc, a
#   throwaway chancho/probe container joins the compose network of the
#   container named "server" (docker compose up of generar-compose.sh's
#   file): the network that compose labels com.docker.compose.network=
#   testing_net, <project>_testing_net whatever the project name ($TP0_NETWORK
#   names another network). chancho/probe is built by ci/build-images.sh.
#
# POSIX sh: runs under sh (dash) and bash.
# Usage: ./validar-echo-server.sh [--run RUN_DIR]
set -eu

usage() {
  echo "Uso: $0 [--run DIRECTORIO_DE_LA_CORRIDA]" >&2
  exit 1
}
run=
case $# in
  0) ;;
  2)
    if [ "$1" != --run ] || [ -z "$2" ]; then usage; fi
    run=$2
    ;;
  *) usage ;;
esac

fail() {
  echo "action: test_echo_server | result: fail | reason: $1"
  exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
config=$here/server/config.ini
message=${MESSAGE:-Hola, soy un mensaje de prueba}
port=$(sed -n 's/^[[:space:]]*SERVER_PORT[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
  "$config" 2>/dev/null | head -n 1)
[ -n "$port" ] || fail "no SERVER_PORT in $config"

chancho=${CHANCHO:-}
if [ -z "$chancho" ]; then
  if [ -x "$here/../../build/bin/chancho" ]; then
    chancho=$here/../../build/bin/chancho
  else
    chancho=$(command -v chancho 2>/dev/null || true)
  fi
fi

# A chancho run to probe: one named, or one that `chancho ps` finds live.
chancho_run() {
  [ -n "$run" ] && return 0
  [ -n "${CHANCHO_RUN_DIR:-}" ] && return 0
  [ -n "$chancho" ] && "$chancho" ps >/dev/null 2>&1
}

if chancho_run; then
  if [ -z "$chancho" ] || [ ! -x "$chancho" ]; then
    fail "chancho not found (set CHANCHO or build it)"
  fi
  if [ -n "$run" ]; then set -- --run "$run"; fi
  exec "$chancho" probe echo --target "server:$port" --message "$message" \
    --timeout 5 "$@"
fi

# The network named com.docker.compose.network=testing_net among those of
# the container "server"; fails when there is no such container or network.
testing_net() {
  ids=$(docker container inspect \
    -f '{{range .NetworkSettings.Networks}}{{.NetworkID}} {{end}}' server \
    2>/dev/null) || return 1
  for id in $ids; do
    # "<label> <name>"; the label is empty on a network compose did not make.
    found=$(docker network inspect \
      -f '{{index .Labels "com.docker.compose.network"}} {{.Name}}' "$id" \
      2>/dev/null) || continue
    case $found in
      "testing_net "*)
        printf '%s\n' "${found#testing_net }"
        return 0
        ;;
    esac
  done
  return 1
}

command -v docker >/dev/null 2>&1 ||
  fail "no live chancho run, and no docker CLI for a compose network"
network=${TP0_NETWORK:-}
if [ -z "$network" ]; then
  network=$(testing_net) ||
    fail "no live chancho run, and no container named server on a compose network testing_net"
fi
probe=chancho/probe:latest
docker image inspect "$probe" >/dev/null 2>&1 ||
  fail "no image $probe (ci/build-images.sh builds it)"
# The probe gives up after 5 s (name lookup included); the engine gets 60 s
# in all to start and remove its container.
if timeout 60 docker run --rm --network "$network" "$probe" \
    server "$port" "$message" 5 >/dev/null 2>&1; then
  echo "action: test_echo_server | result: success"
  exit 0
fi
fail "no echo from server:$port in network $network"
