#!/usr/bin/env bash
# Adds `SPDX-License-Identifier: GPL-2.0-only` (LICENSE) to each source file
# that has none in its first 5 lines, as a comment of the file's kind: first
# line, or second after a #! line. Files that already have one are left as
# they are, so it can be run again. Which files: scripts/lib/spdx.sh.
# Usage: scripts/add_spdx.sh [FILE...]   (default: every source file)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib/spdx.sh
. "$root/scripts/lib/spdx.sh"

if (($#)); then
  files=()
  for f in "$@"; do files+=("$(realpath --relative-to="$root" "$f")"); done
else
  mapfile -t files < <(spdx_source_files "$root")
fi

added=0
for f in "${files[@]}"; do
  path="$root/$f"
  spdx_has_header "$path" && continue
  prefix=$(spdx_comment_prefix "$f")
  if [ -z "$prefix" ]; then
    echo "add_spdx: $f: no comment syntax known for this kind of file; skipped" >&2
    continue
  fi
  line="$prefix SPDX-License-Identifier: $SPDX_LICENSE"
  tmp=$(mktemp "$path.spdx.XXXXXX")
  if head -c 2 "$path" | grep -q '^#!'; then
    { head -n 1 "$path"; printf '%s\n' "$line"; tail -n +2 "$path"; } >"$tmp"
  else
    { printf '%s\n' "$line"; cat "$path"; } >"$tmp"
  fi
  chmod --reference="$path" "$tmp"
  mv "$tmp" "$path"
  added=$((added + 1))
done
echo "add_spdx: added an SPDX line to $added files" >&2
