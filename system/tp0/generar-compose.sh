#!/usr/bin/env bash
# Writes the docker-compose file of tp0: a server and client1..clientN, with
# their config files mounted as volumes and one network, testing_net.
# Usage: ./generar-compose.sh <output.yaml> <clients>
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "Uso: $0 <archivo_salida> <cantidad_clientes>" >&2
  exit 1
fi
output=$1
clients=$2
if ! [[ "$clients" =~ ^[0-9]+$ ]]; then
  echo "Error: la cantidad de clientes debe ser un entero no negativo, se recibió '$clients'" >&2
  exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
chancho=${CHANCHO:-$here/../../build/bin/chancho}
if [ ! -x "$chancho" ]; then
  echo "Error: no se encontró chancho en $chancho (compilar con 'make build' o definir CHANCHO)" >&2
  exit 1
fi
exec "$chancho" compose tp0 --clients "$((10#$clients))" --tp0-dir "$here" -o "$output"
