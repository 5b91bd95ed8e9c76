#!/usr/bin/env bash
# Installs, with apt, every Debian package Chancho needs to build and test.
# Idempotent: only missing packages are installed, and nothing is printed
# when everything is already present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build
  libboost1.81-dev libboost-filesystem1.81-dev
  rapidjson-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libedit-dev
  docker-compose netcat-openbsd procps iproute2 socat python3 zlib1g-dev chromium
  docker.io debootstrap
  librabbitmq-dev rabbitmq-server
  shellcheck stress-ng clang libfuzzer-14-dev
)

# The official Toxiproxy Node client, which the API's test drives
# (integration_tests/toxiproxy, pinned by its package-lock.json): from the
# npm registry, once.
install_node_client() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/integration_tests/toxiproxy"
  [ -e "$dir/node_modules/toxiproxy-node-client/package.json" ] && return 0
  if ! command -v npm >/dev/null; then
    echo "install-deps: npm is missing (Node 18 or later with npm is needed for the Toxiproxy client test)" >&2
    return 1
  fi
  echo "install-deps: installing toxiproxy-node-client with npm" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
install_node_client

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
# Packages such as rabbitmq-server and docker.io start a system service when
# installed; Chancho starts its own private instances instead, and a system
# broker listening on every address would take their ports. A policy-rc.d
# that denies every start keeps them off during the install.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
