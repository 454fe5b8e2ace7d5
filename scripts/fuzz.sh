#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz, a standalone CMake project that
# compiles only the strace parser and the recording reader) with clang in a
# separate build directory and runs each for a bounded time, seeded with the
# strace logs in tests/data/strace and a few hand-made recordings.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# env:   FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (default 2)
# Exits non-zero if a target finds a crash, leak, UB or timeout; the
# reproducer is left in $FUZZ_BUILD_DIR/artifacts. ctest runs it as the
# `fuzz_parsers` test (label fuzz) with 20 s per target.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
jobs=${FUZZ_JOBS:-2}

t0=$(date +%s)
cmake -S "$here/tests/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ >/dev/null
make -C "$build" -j"$jobs" strace_line_fuzz recording_reader_fuzz >/dev/null
t1=$(date +%s)
echo "== configure + build: $((t1 - t0))s"

corpus=$build/corpus
rm -rf "$build/artifacts"  # reproducers of an earlier run are not this run's findings
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
def seed(pid, cwd, fds):
    p = struct.pack("<i", pid) + s(cwd) + struct.pack("<I", len(fds))
    for fd, path in fds:
        p += struct.pack("<i", fd) + s(path) + struct.pack("<QBQQIQ", 0o1, 0, 0x800001, 7, 0o100000, 0xEF53)
    p += struct.pack("<Ii", 1, pid)
    return struct.pack("<IB", len(p) + 1, 3) + p
trailer = struct.pack("<QI", 2, 1) + s(b"ringbuf_full") + struct.pack("<Q", 3)
recs = seed(42, b"/data", [(1, b"/data/log"), (2, b"/dev/null")]) + event(2, b"x.tmp") + \
       event(28, b"/data/x.tmp", b"/data/x") + struct.pack("<IB", len(trailer) + 1, 2) + trailer
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
