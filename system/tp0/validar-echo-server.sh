#!/usr/bin/env bash
# Checks that the tp0 echo server of a live run answers a message with the
# same bytes. The port comes from server/config.ini; the name "server" is
# resolved through the run's hosts file. Prints
#   action: test_echo_server | result: success|fail
# and exits 0 on success, 1 otherwise.
# Usage: ./validar-echo-server.sh [--run RUN_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
chancho=${CHANCHO:-$here/../../build/bin/chancho}
config=$here/server/config.ini
port=$(sed -n 's/^[[:space:]]*SERVER_PORT[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$config" | head -n 1)
if [ -z "$port" ]; then
  echo "action: test_echo_server | result: fail | reason: no SERVER_PORT in $config"
  exit 1
fi
exec "$chancho" probe echo --target "server:$port" \
  --message "${MESSAGE:-Hola, soy un mensaje de prueba}" --timeout 5 "$@"
