#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs the tools the benchmarks compare against or measure with (Debian
# packages). Separate from scripts/setup.sh: building and testing duraudit
# needs none of them.
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  echo "bench/setup.sh installs packages: run it as root" >&2
  exit 1
fi
pkgs=(bpftrace strace sqlite3 linux-perf time util-linux gcc g++ fio)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# bpftrace's tracepoint:syscalls:* probes need tracefs (the format files).
if [[ ! -d /sys/kernel/tracing/events/syscalls ]]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
