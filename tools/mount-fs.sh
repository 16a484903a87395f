#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Mounts tracefs and bpffs when they are missing (run as root). Tracepoint
# attach reads event ids from tracefs; pinning needs bpffs.
if [ "$(id -u)" != 0 ]; then exit 0; fi
if [ ! -e /sys/kernel/tracing/events ] && [ ! -e /sys/kernel/debug/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
fi
exit 0
