#!/usr/bin/env bash
# Lists duraudit's source files that lack an `SPDX-License-Identifier:` line
# in their first 5 lines, and exits 1 if there are any (0 when every file has
# one). Which files count: scripts/lib/spdx.sh. To add the missing lines:
# scripts/add_spdx.sh.
# Usage: scripts/check_spdx.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib/spdx.sh
. "$root/scripts/lib/spdx.sh"

missing=0 total=0
while IFS= read -r f; do
  total=$((total + 1))
  if ! spdx_has_header "$root/$f"; then
    echo "$f"
    missing=$((missing + 1))
  fi
done < <(spdx_source_files "$root")

if ((missing)); then
  echo "check_spdx: $missing of $total source files have no SPDX-License-Identifier line in their first 5 lines (scripts/add_spdx.sh adds one)" >&2
  exit 1
fi
echo "check_spdx: all $total source files carry an SPDX-License-Identifier" >&2
