#!/usr/bin/env bash
# Installs what zkops needs from Debian 12 (only what is missing), then builds it in build/.
# Sourced by tools/quickstart.sh and tools/test.sh; runnable alone.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-filesystem-dev libboost-system-dev
  libpoco-dev libyaml-cpp-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  libraft-dev libuv1-dev
  clang libclang-rt-14-dev
  zookeeper zookeeper-bin libzookeeper-mt-dev
  python3 python3-kazoo
  netcat-openbsd procps iproute2 tmux iptables nftables openssh-server rsync
  libreadline-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
