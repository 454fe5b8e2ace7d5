#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Quick start, part 2: installs what duraudit needs, builds it, and runs the
# whole test suite (unit, live eBPF, end-to-end) under ctest. Live tests load
# BPF programs and need root; under CI=true they fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO="sudo -E"
cd build
$SUDO ctest --output-on-failure --timeout 600 "$@"
