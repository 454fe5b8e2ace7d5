#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz) with clang in a separate build
# directory and runs each for a bounded time, seeded with the strace logs in
# tests/data/strace and a few recordings made from them.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# env:   FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (default 2)
# Exits non-zero if a target finds a crash, leak or timeout; the reproducer
# is left in $FUZZ_BUILD_DIR/artifacts.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
jobs=${FUZZ_JOBS:-2}

cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DDURAUDIT_BUILD_FUZZERS=ON >/dev/null
make -C "$build" -j"$jobs" strace_line_fuzz recording_reader_fuzz

corpus=$build/corpus
mkdir -p "$corpus/strace" "$corpus/recording" "$build/artifacts"
# Seeds: every fixture log whole, and its lines one per file (short inputs
# let the fuzzer mutate individual syscall lines).
for f in "$here"/tests/data/strace/*.log*; do
  cp "$f" "$corpus/strace/"
  head -c 65536 "$f" | split -l 1 -a 4 - "$corpus/strace/$(basename "$f")-line-" 2>/dev/null || true
done
# Recording seeds: records as the target frames them behind a valid header
# (u32 len, u8 type, payload; layout in userspace/record/recording_format.h):
# two events and a trailer, and the same as a whole file.
python3 - "$corpus/recording" <<'PY'
import struct, sys
def s(b): return struct.pack("<H", len(b)) + b
def event(sc, path, path2=b""):
    p = struct.pack("<QiiHqiiiiQQQQQQIQiiiB", 1000, 42, 42, sc, 3, 3, -1, -100, -100, 0o1101, 0o644, 0, 5,
                    0xFFFFFFFFFFFFFFFF, 7, 0o100000, 0xEF53, 0, 0, 0, 1)
    p += s(b"app") + s(path) + s(path2)
    return struct.pack("<IB", len(p) + 1, 1) + p
trailer = struct.pack("<QI", 2, 1) + s(b"ringbuf_full") + struct.pack("<Q", 3)
recs = event(2, b"/data/x.tmp") + event(28, b"/data/x.tmp", b"/data/x") + struct.pack("<IB", len(trailer) + 1, 2) + trailer
open(sys.argv[1] + "/records", "wb").write(recs)
hdr = b"DURAUDIT" + struct.pack("<HI", 1, 20) + b"\0" * 20
open(sys.argv[1] + "/file", "wb").write(hdr + recs)
PY

status=0
run() {
  name=$1; seeds=$2
  echo "== $name: ${secs}s"
  if ! "$build/tests/fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 "$seeds" >"$build/$name.log" 2>&1; then
    status=1
  fi
  grep -E "^#[0-9]+ +(DONE|pulse)|stat::|ERROR|SUMMARY|Done" "$build/$name.log" | tail -n 14
}
run strace_line_fuzz "$corpus/strace"
run recording_reader_fuzz "$corpus/recording"
if ls "$build/artifacts"/* >/dev/null 2>&1; then
  echo "fuzz: findings in $build/artifacts" >&2
  status=1
fi
exit $status
