#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Quick start, part 1: installs what duraudit needs, builds it, and audits the
# bundled demo workload -- a checkpoint commit with the FLINK-36421 mistake --
# and then its corrected twin.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh

DURAUDIT=build/duraudit
DEMO=build/demo/flink_checkpoint
work=$(mktemp -d "${TMPDIR:-/var/tmp}/duraudit-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo

echo
echo "== 1. checkpoint commit with the FLINK-36421 bug (state files never fsynced)"
"$DEMO" setup "$work/buggy"
status=0
$SUDO "$DURAUDIT" run --fail-on error -- "$DEMO" buggy "$work/buggy" || status=$?
echo "(duraudit exited $status: 3 means findings at or above --fail-on error)"

echo
echo "== 2. the corrected twin (fsync files, fsync directories, then delete the old checkpoint)"
"$DEMO" setup "$work/fixed"
$SUDO "$DURAUDIT" run --fail-on error -- "$DEMO" fixed "$work/fixed"
echo "(duraudit exited $?: no findings)"
