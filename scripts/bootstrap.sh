#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of dsfill from Debian 12's archive.
# Idempotent: packages already present are skipped by apt, and apt-get update runs only when
# a package is missing. Installs only the versioned Boost 1.81 packages: Debian's default
# Boost (1.74) conflicts with them.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libdeflate-dev libsimdjson-dev libsqlite3-dev sqlite3 libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libfccp-dev
  libcli11-dev libfmt-dev libtomlplusplus-dev
  libisal-dev
  libzstd-dev libbz2-dev liblzma-dev zlib1g-dev
  gzip pigz zstd bzip2 xz-utils
  # scripts/bench-compare.sh: peak RSS (/usr/bin/time), plots, and the shell-pipeline yardstick.
  time gnuplot-nox parallel curl
  clang-14 libclang-rt-14-dev
  # The network tests run real software on 127.0.0.1: nginx as the TLS terminator, openssl
  # to make their certificates, tinyproxy as the forward proxy (plain HTTP and CONNECT).
  nginx-light openssl tinyproxy
  # --metrics-file is read by the real node_exporter's textfile collector in its test.
  prometheus-node-exporter
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "bootstrap: installing ${missing[*]}"
$SUDO apt-get update -qq
# Installing nginx or tinyproxy would start it as a service on port 80; the tests start their own. Debian's
# policy-rc.d hook (exit 101: "action forbidden") keeps it stopped, where none is set already.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
