#!/usr/bin/env bash
# Checks that the tp0 echo server answers a message with the same bytes.
# The port comes from server/config.ini. Prints
#   action: test_echo_server | result: success|fail
# and exits 0 on success, 1 otherwise.
#
# - With a live chancho run (the newest under .chancho/runs, $CHANCHO_RUN_DIR
#   or --run DIR), the name "server" is resolved through the run's hosts
#   file and `chancho probe echo` does the exchange, on either runtime.
# - Otherwise, when a compose network named $TP0_NETWORK (default
#   tp0_testing_net, what `docker compose -p tp0` makes of testing_net)
#   exists, a throwaway chancho/probe container joins it and talks to
#   "server" there, as the course template's script did with alpine and nc.
# Usage: ./validar-echo-server.sh [--run RUN_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
chancho=${CHANCHO:-$here/../../build/bin/chancho}
config=$here/server/config.ini
message=${MESSAGE:-Hola, soy un mensaje de prueba}
port=$(sed -n 's/^[[:space:]]*SERVER_PORT[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$config" | head -n 1)
if [ -z "$port" ]; then
  echo "action: test_echo_server | result: fail | reason: no SERVER_PORT in $config"
  exit 1
fi

network=${TP0_NETWORK:-tp0_testing_net}
if [ "$#" -eq 0 ] && [ -z "${CHANCHO_RUN_DIR:-}" ] &&
   ! "$chancho" ps >/dev/null 2>&1 &&
   docker network inspect "$network" >/dev/null 2>&1; then
  if docker run --rm --network "$network" chancho/probe:latest \
       server "$port" "$message" 5 >/dev/null 2>&1; then
    echo "action: test_echo_server | result: success"
    exit 0
  fi
  echo "action: test_echo_server | result: fail | reason: no echo from server:$port in network $network"
  exit 1
fi

exec "$chancho" probe echo --target "server:$port" \
  --message "$message" --timeout 5 "$@"
