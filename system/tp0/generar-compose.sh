#!/bin/sh
# Writes the docker-compose file of tp0, as the course template's script did:
# the service and container "server" (image server:latest) and
# "client1".."client<N>" (image client:latest, CLI_ID=<i>, depending on the
# server), all on one network, testing_net. Each service mounts its config
# file from this directory: ./server/config.ini at /config.ini and
# ./client/config.yaml at /config.yaml. The images are built from
# ./server/Dockerfile and ./client/Dockerfile (`make docker-image`).
#
# POSIX sh with no other dependency, so that it runs under sh (dash) and
# bash, in this directory or in any copy of its files. The file has no
# top-level "name" (docker-compose v1 rejects it): the project name is the
# directory's name unless -p says otherwise, and the network
# <project>_testing_net.
#
# Usage: ./generar-compose.sh <output.yaml> <clients>
# Exits 1, with a message on stderr, on bad arguments or an unwritable file.
set -eu

if [ "$#" -ne 2 ]; then
  echo "Uso: $0 <archivo_salida> <cantidad_clientes>" >&2
  exit 1
fi
output=$1
clients=$2
case $clients in
  '' | *[!0-9]*)
    echo "Error: la cantidad de clientes debe ser un entero no negativo, se recibió '$clients'" >&2
    exit 1
    ;;
esac
# Decimal, whatever its leading zeros (sh arithmetic reads 010 as octal).
clients=$(printf '%s\n' "$clients" | sed 's/^0*\([0-9]\)/\1/')
if [ "${#clients}" -gt 4 ]; then
  echo "Error: la cantidad de clientes debe ser menor que 10000, se recibió '$clients'" >&2
  exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$output" ]; then
  echo "Error: el archivo de salida no puede ser vacío" >&2
  exit 1
fi
out_dir=$(dirname "$output")
if ! mkdir -p "$out_dir" 2>/dev/null || ! out_dir=$(cd "$out_dir" && pwd); then
  echo "Error: no se puede crear el directorio de $output" >&2
  exit 1
fi

# A YAML scalar in single quotes: ' doubled, and $ doubled because compose
# interpolates variables in every value.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed -e "s/'/''/g" -e 's/\$/$$/g')"
}

# The config files, relative to the compose file when it is written in this
# directory (as the course does), absolute otherwise.
if [ "$out_dir" = "$here" ]; then
  configs=.
else
  configs=$here
fi
server_config=$(quote "$configs/server/config.ini:/config.ini")
client_config=$(quote "$configs/client/config.yaml:/config.yaml")

# printf, not echo: dash's echo expands backslashes (a path may have them).
line() { printf '%s\n' "$1"; }

write() {
  line "# tp0: the echo server and $clients clients (generar-compose.sh)."
  line "services:"
  line "  server:"
  line "    container_name: server"
  line "    image: server:latest"
  line "    environment:"
  line "      - CONFIG_FILE=/config.ini"
  line "    networks:"
  line "      - testing_net"
  line "    volumes:"
  line "      - $server_config"
  i=1
  while [ "$i" -le "$clients" ]; do
    line ""
    line "  client$i:"
    line "    container_name: client$i"
    line "    image: client:latest"
    line "    environment:"
    line "      - CLI_ID=$i"
    line "      - CONFIG_FILE=/config.yaml"
    line "    networks:"
    line "      - testing_net"
    line "    volumes:"
    line "      - $client_config"
    line "    depends_on:"
    line "      - server"
    i=$((i + 1))
  done
  line ""
  line "networks:"
  line "  testing_net: {}"
}

# Written whole to a temporary file first, so that a failure never leaves a
# truncated compose file behind.
tmp="$output.tmp.$$"
if ! write 2>/dev/null >"$tmp" || ! mv -f "$tmp" "$output" 2>/dev/null; then
  rm -f "$tmp"
  echo "Error: no se puede escribir $output" >&2
  exit 1
fi
