#!/usr/bin/env bash
# Builds the Docker images of Chancho with no container registry:
#   chancho/base:bookworm      Debian bookworm, debootstrap --variant=minbase
#                              from this machine's Debian mirror, plus the
#                              runtime libraries the binaries need (found
#                              with ldd + dpkg -S) and netcat-openbsd, then
#                              `docker import`ed;
#   chancho/tp0-server:latest  FROM the base, with BUILD_DIR/bin/tp0-server;
#   chancho/tp0-client:latest  FROM the base, with BUILD_DIR/bin/tp0-client;
#   chancho/probe:latest       FROM the base, with ci/images/probe/echo-probe
#                              (nc), run as a throwaway container inside a
#                              compose network;
#   chancho/rabbitmq:latest    FROM the base, the movies broker: Debian's
#                              rabbitmq-server (ci/images/rabbitmq/packages)
#                              and the movies-broker launcher;
#   chancho/movies:latest      FROM the base, every other movies service: the
#                              binaries movies-node, client-handler,
#                              movies-client, health-checker and chancho, and
#                              this machine's docker CLI (the health-checkers
#                              run `docker start` through the mounted Docker
#                              socket).
# The rabbitmq and movies images install their packages in a layer of their
# own, with apt-get from the base's Debian mirror during `docker build`: the
# packages they list and the runtime libraries of their binaries that the
# base lacks, so the base and the tp0 images do not change.
# The Dockerfiles are in ci/images/<image>/.
#
# Idempotent: every image carries the label com.chancho.inputs, a hash of its
# inputs (base image, Dockerfile, files copied, package list); an image whose
# label already equals the hash is not rebuilt. The debootstrap root file
# system is cached as a tarball in $CHANCHO_IMAGE_CACHE (default
# ~/.cache/chancho/images), keyed by mirror, suite and package list (delete
# it to pick up newer Debian packages).
#
# With registry access, skip debootstrap and start from a public image:
#   CHANCHO_BASE_IMAGE=debian:bookworm-slim ci/build-images.sh build
# The base is then built FROM that image with apt-get installing the same
# packages (it needs network access during `docker build`).
#
# Other settings: CHANCHO_DEBIAN_MIRROR (default: the first Debian URI in
# /etc/apt/sources.list{,.d/*}), CHANCHO_DEBIAN_SUITE (default bookworm).
# Needs root (debootstrap) and a running engine (ci/start-docker.sh).
# Usage: ci/build-images.sh BUILD_DIR
set -euo pipefail

fail() {
  echo "build-images: error: $*" >&2
  exit 1
}
say() { echo "build-images: $*"; }

# Stages: the base image, then each image built on it. Each says its number,
# and how long it took when it had work to do.
stages=6
stage=0
next_stage() {
  stage=$((stage + 1))
  stage_start=$SECONDS
}
stage_say() { say "[$stage/$stages] $*"; }
stage_done() { stage_say "$1 done in $((SECONDS - stage_start)) s"; }

# with_progress WHAT LOG COMMAND...: runs COMMAND, its output to LOG,
# while saying every 15 s that WHAT is still going and for how long
# (redrawn in place on a terminal), so that minutes of debootstrap or
# docker build are not silence. Returns the command's status.
with_progress() {
  local what=$1 log=$2 pid rc=0 began=$SECONDS last=$SECONDS
  shift 2
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ $((SECONDS - last)) -ge 15 ]; then
      last=$SECONDS
      if [ -t 1 ]; then
        printf '\rbuild-images: [%s/%s] %s: %s s' "$stage" "$stages" "$what" "$((SECONDS - began))"
      else
        stage_say "$what: still running, $((SECONDS - began)) s"
      fi
    fi
  done
  wait "$pid" || rc=$?
  [ -t 1 ] && [ $((SECONDS - began)) -ge 15 ] && printf '\r\033[2K'
  return "$rc"
}

[ $# -eq 1 ] || fail "usage: ci/build-images.sh BUILD_DIR"
build_dir=$(cd "$1" 2>/dev/null && pwd) || fail "no build directory $1"
bin_dir=$build_dir/bin
here=$(cd "$(dirname "$0")" && pwd)
images_dir=$here/images
cache=${CHANCHO_IMAGE_CACHE:-${HOME:-/root}/.cache/chancho/images}
suite=${CHANCHO_DEBIAN_SUITE:-bookworm}
base_image=chancho/base:$suite
export DOCKER_BUILDKIT=0 # the legacy builder needs no buildx plugin

command -v docker >/dev/null || fail "no docker CLI; run ci/install-deps.sh"
timeout 20 docker info >/dev/null 2>&1 ||
  fail "the Docker engine does not answer; run ci/start-docker.sh"
binaries=(tp0-server tp0-client)
movies_binaries=(movies-node client-handler movies-client health-checker chancho)
for b in "${binaries[@]}" "${movies_binaries[@]}" movies-broker; do
  [ -x "$bin_dir/$b" ] || fail "$bin_dir/$b is missing; build it first (cmake --build $build_dir)"
done
docker_cli=$(command -v docker)

hash_of() { sha256sum | cut -c1-16; }

# The label an existing image carries, or nothing.
image_inputs() {
  docker image inspect -f '{{index .Config.Labels "com.chancho.inputs"}}' "$1" 2>/dev/null || true
}

# Debian packages that hold the shared libraries of the executables named
# (paths).
runtime_packages() {
  local libs=() lib found missing=()
  mapfile -t libs < <(for b in "$@"; do
    ldd "$b" 2>/dev/null | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'
  done | sort -u)
  # One dpkg -S for all (it is slow); with usrmerge a library is known by
  # the path ldd prints or by its resolved path.
  found=$(dpkg -S "${libs[@]}" 2>/dev/null || true)
  for lib in "${libs[@]}"; do
    grep -q ": $lib\$" <<<"$found" || missing+=("$(readlink -f "$lib")")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    found+=$'\n'$(dpkg -S "${missing[@]}" 2>/dev/null || true)
    for lib in "${missing[@]}"; do
      grep -q ": $lib\$" <<<"$found" || fail "no Debian package holds $lib (needed by a binary)"
    done
  fi
  sed -n 's/^\([^:,]*\)\(:[a-z0-9]*\)\?: .*/\1/p' <<<"$found" | sort -u
}

debian_mirror() {
  if [ -n "${CHANCHO_DEBIAN_MIRROR:-}" ]; then
    echo "$CHANCHO_DEBIAN_MIRROR"
    return
  fi
  local files=() uri
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || fail "no /etc/apt/sources.list*; set CHANCHO_DEBIAN_MIRROR"
  # deb822 "URIs:" lines and one-line "deb URI suite" entries; the first
  # that serves Debian itself (not security, not third-party repositories).
  uri=$(sed -n -e 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
               -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' \
               "${files[@]}" | grep -E '/debian/?$' | grep -v security | head -n 1)
  [ -n "$uri" ] || fail "no Debian mirror in ${files[*]}; set CHANCHO_DEBIAN_MIRROR"
  echo "$uri"
}

build_base_debootstrap() {
  local packages=$1 mirror tarball key rootfs inputs
  mirror=$(debian_mirror)
  key=$(printf '%s\n' "$mirror" "$suite" "$packages" "minbase" | hash_of)
  inputs=$key
  if [ "$(image_inputs "$base_image")" = "$inputs" ]; then
    stage_say "$base_image is up to date ($inputs)"
    return
  fi
  tarball=$cache/$suite-minbase-$key.tar
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null || fail "no debootstrap; run ci/install-deps.sh"
    [ "$(id -u)" -eq 0 ] || fail "debootstrap needs root"
    mkdir -p "$cache"
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    stage_say "debootstrap $suite (minbase) from $mirror, with: ${packages//$'\n'/ }"
    if ! with_progress debootstrap "$cache/debootstrap.log" \
        debootstrap --variant=minbase --include="${packages//$'\n'/,}" \
        "$suite" "$rootfs" "$mirror"; then
      fail "debootstrap failed: $(tail -n 2 "$cache/debootstrap.log" | tr '\n' ' ')(see $cache/debootstrap.log)"
    fi
    # Nothing the containers need: package caches, indexes, documentation.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
      "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    trap - EXIT
    stage_say "root file system cached in $tarball ($((SECONDS - stage_start)) s)"
  else
    stage_say "using cached root file system $tarball"
  fi
  stage_say "docker import $base_image"
  built=1
  with_progress "docker import" /dev/null docker import \
    --change "LABEL com.chancho.inputs=$inputs" \
    --change "LABEL com.chancho.image=base" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    "$tarball" "$base_image"
  stage_done "$base_image"
}

build_base_from_image() {
  local packages=$1 from=$CHANCHO_BASE_IMAGE inputs context
  inputs=$(printf '%s\n' "$from" "$packages" | hash_of)
  if [ "$(image_inputs "$base_image")" = "$inputs" ]; then
    stage_say "$base_image is up to date ($inputs, from $from)"
    return
  fi
  context=$(mktemp -d)
  cat >"$context/Dockerfile" <<EOF
FROM $from
RUN apt-get update && apt-get install -y --no-install-recommends ${packages//$'\n'/ } \\
 && rm -rf /var/lib/apt/lists/*
EOF
  stage_say "docker build $base_image FROM $from"
  built=1
  if ! with_progress "docker build" "$context.log" docker build \
      --label "com.chancho.inputs=$inputs" --label com.chancho.image=base \
      -t "$base_image" "$context"; then
    fail "docker build of $base_image failed: $(tail -n 3 "$context.log" | tr '\n' ' ')(see $context.log)"
  fi
  rm -rf "$context" "$context.log"
  stage_done "$base_image"
}

# build_image NAME FILE... : ci/images/NAME/Dockerfile with the files copied
# into the build context (absolute paths as they are, binaries from
# BUILD_DIR/bin, others from the image's directory).
build_image() {
  local name=$1 tag=chancho/$1:latest dir=$images_dir/$1 context inputs f
  shift
  [ -f "$dir/Dockerfile" ] || fail "no $dir/Dockerfile"
  context=$(mktemp -d)
  cp "$dir/Dockerfile" "$context/"
  for f in "$@"; do
    if [[ $f == /* ]]; then
      cp -p "$f" "$context/"
    elif [ -f "$dir/$f" ]; then
      cp -p "$dir/$f" "$context/"
    else
      cp -p "$bin_dir/$f" "$context/"
    fi
  done
  inputs=$( (docker image inspect -f '{{.Id}}' "$base_image";
             cd "$context" && find . -type f | sort | xargs sha256sum) | hash_of)
  if [ "$(image_inputs "$tag")" = "$inputs" ]; then
    stage_say "$tag is up to date ($inputs)"
  else
    stage_say "docker build $tag"
    built=1
    local log=$context.log
    if ! with_progress "docker build $tag" "$log" docker build \
        --label "com.chancho.inputs=$inputs" --label "com.chancho.image=$name" \
        -t "$tag" "$context"; then
      fail "docker build of $tag failed: $(tail -n 3 "$log" | tr '\n' ' ')(see $log)"
    fi
    stage_done "$tag"
  fi
  rm -rf "$context" "$context.log"
}

start=$SECONDS
built=0
next_stage
packages=$( (runtime_packages "${binaries[@]/#/$bin_dir/}"; grep -v '^#' "$images_dir/base/packages") | sed '/^$/d' | sort -u)
if [ -n "${CHANCHO_BASE_IMAGE:-}" ]; then
  build_base_from_image "$packages"
else
  build_base_debootstrap "$packages"
fi
next_stage
build_image tp0-server tp0-server
next_stage
build_image tp0-client tp0-client
next_stage
build_image probe echo-probe
# A layer's packages (in $lists/apt-packages): the image's own list, if it
# has one, and the libraries of its executables that the base does not
# already hold.
lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
layer_packages() {
  local list=$images_dir/$1/packages
  shift
  ([ -f "$list" ] && grep -v '^#' "$list";
   [ $# -eq 0 ] || runtime_packages "$@") |
    sed '/^$/d' | sort -u | comm -23 - <(echo "$packages") >"$lists/apt-packages"
}
next_stage
layer_packages rabbitmq
build_image rabbitmq movies-broker "$lists/apt-packages"
next_stage
layer_packages movies "${movies_binaries[@]/#/$bin_dir/}" "$docker_cli"
build_image movies "${movies_binaries[@]}" "$docker_cli" "$lists/apt-packages"
rm -rf "$lists"
trap - EXIT
# Images replaced by a rebuild are left untagged; drop ours.
if [ "$built" -eq 1 ]; then
  docker image prune -f --filter label=com.chancho.inputs >/dev/null 2>&1 || true
fi
say "done in $((SECONDS - start)) s"
