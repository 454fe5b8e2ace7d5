#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds the libFuzzer targets (tests/fuzz, a standalone CMake project that
# compiles only the parsers: strace logs, recordings, rules files,
# baselines) with clang in a separate build directory and runs each for a
# bounded time, seeded with the strace logs in tests/data/strace, a few
# hand-made recordings, rules/*.yaml and baselines the duraudit binary
# writes (when $DURAUDIT_BIN names one; ctest sets it) or a hand-made one.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# env:   FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (default 2),
#        DURAUDIT_BIN (a built duraudit, to write the baseline seeds)
# Exits non-zero if a target finds a crash, leak, UB or timeout; the
# reproducer is left in $FUZZ_BUILD_DIR/artifacts. ctest runs it as the
# `fuzz_parsers` test (label fuzz) with 15 s per target.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
jobs=${FUZZ_JOBS:-2}

t0=$(date +%s)
cmake -S "$here/tests/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ >/dev/null
targets="strace_line_fuzz recording_reader_fuzz rules_file_fuzz baseline_fuzz"  # tests/fuzz/CMakeLists.txt
# shellcheck disable=SC2086
make -C "$build" -j"$jobs" $targets >/dev/null
t1=$(date +%s)
echo "== configure + build: $((t1 - t0))s"

corpus=$build/corpus
rm -rf "$build/artifacts"  # reproducers of an earlier run are not this run's findings
mkdir -p "$corpus/strace" "$corpus/recording" "$corpus/rules" "$corpus/baseline" "$build/artifacts"
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

# Rules seeds: the shipped files, whole, and a few small ones that reach
# each section of the schema (config/rules_file.h).
cp "$here"/rules/*.yaml "$here"/rules/examples/*.yaml "$corpus/rules/" 2>/dev/null || true
printf 'version: 1\ngrace: 5s\nscope: siblings\nrules:\n  close-without-fsync: { enabled: true, severity: error }\n  truncate-in-place: off\n' >"$corpus/rules/small-rules"
printf 'paths:\n  include: ["/data/**"]\n  exclude: ["*.tmp", "/var/log/**"]\nfilesystems:\n  ignore: [tmpfs, "0x01021994"]\n  track: [ramfs]\n' >"$corpus/rules/small-paths"
printf 'suppressions:\n  - { rule: "*", path: "/var/cache/**", comm: apt, reason: "rebuilt" }\n' >"$corpus/rules/small-suppressions"
# Baseline seeds: what the binary writes for the strace fixtures, and a
# hand-made one with names in duraudit's JSON encoding (docs/output.md:
# an invalid byte as \xNN, a backslash doubled).
if [ -n "${DURAUDIT_BIN:-}" ] && [ -x "$DURAUDIT_BIN" ]; then
  for f in "$here"/tests/data/strace/*.log; do
    "$DURAUDIT_BIN" replay --strace "$f" --write-baseline "$corpus/baseline/$(basename "$f").jsonl" \
      >/dev/null 2>&1 || true
  done
fi
cat >"$corpus/baseline/hand-made" <<'JSONL'
# accepted for now
{"fingerprint":"9f2c0d1e5a6b7c8d","rule":"close-without-fsync","comm":"java","path":"/ckpt/chk-<n>/_metadata"}
{"fingerprint":"0123456789abcdef","rule":"missing-dir-fsync","comm":"a\\\\b","path":"/data/\\xff\\xfe name"}

{"fingerprint":"fedcba9876543210"}
JSONL

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
run rules_file_fuzz "$corpus/rules"
run baseline_fuzz "$corpus/baseline"
if ls "$build/artifacts"/* >/dev/null 2>&1; then
  echo "fuzz: findings in $build/artifacts" >&2
  status=1
fi
exit $status
