#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Installs what building and testing bpfxx needs on Debian 12 (run as root).
# libbpf-dev and bpftool are references only: tests and benchmarks compare
# against them; bpfxx itself never links them. iproute2 sets up the veth
# pairs and network namespaces of the networking tests.
set -e
packages="cmake ninja-build g++ clang-19 lld-19 llvm-19 libclang-rt-19-dev
  libgtest-dev libgmock-dev catch2 libbpf-dev bpftool iproute2"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bpfxx: missing packages:$missing (run this script as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
