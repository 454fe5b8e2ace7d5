#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# duraudit benchmarks: overhead on the traced process and on everyone else,
# engine throughput and memory, loss at high event rates. Prints a Markdown
# report and writes it to bench/results/<date>-<host>.md.
#
#   sudo bench/run.sh                   everything (about 15 min on 2 cores; strace is most of it)
#   sudo bench/run.sh overhead engine   only some sections: overhead other async engine loss stacks
#   RUNS=7 sudo bench/run.sh            more rounds (default 5; the median is reported)
#
# Environment: BUILD (build dir, default ./build), BENCH_DISK_DIR (a directory on
# a disk filesystem, default /var/tmp/duraudit-bench), RUNS, ENGINE_EVENTS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$ROOT/bench/out
DISK=${BENCH_DISK_DIR:-/var/tmp/duraudit-bench}
SHM=/dev/shm/duraudit-bench
RUNS=${RUNS:-5}
ENGINE_EVENTS=${ENGINE_EVENTS:-5000000}
SECTIONS=("$@")
((${#SECTIONS[@]})) || SECTIONS=(overhead other async engine loss stacks)

want() { local s; for s in "${SECTIONS[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }
log() { echo "[bench $(date +%T)] $*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "bench/run.sh loads eBPF programs (duraudit, bpftrace): run it as root" >&2
  exit 1
fi

# ---- tools and binaries ----
bash "$ROOT/bench/setup.sh"
[[ -f $BUILD/CMakeCache.txt ]] || cmake -S "$ROOT" -B "$BUILD" >/dev/null
make -C "$BUILD" -j2 duraudit bench_gen_recording >/dev/null
DURAUDIT=$BUILD/duraudit
GEN=$BUILD/bench/bench_gen_recording
rm -rf "$OUT" && mkdir -p "$OUT/bin" "$OUT/times" "$DISK" "$SHM"
for w in churn small_writes rate_events timeit; do
  gcc -O2 -Wall -o "$OUT/bin/$w" "$ROOT/bench/workloads/$w.c"
done
B=$OUT/bin
BT=$ROOT/bench/bpftrace

# The syscalls duraudit captures (bpf/duraudit.bpf.c) plus process lifecycle,
# so strace stops on the same set.
STRACE_SET=open,openat,openat2,creat,close,close_range,dup,dup2,dup3,fcntl,write,pwrite64,writev,pwritev,pwritev2
STRACE_SET+=,ftruncate,truncate,fallocate,copy_file_range,sendfile,fsync,fdatasync,sync,syncfs,sync_file_range,msync
STRACE_SET+=,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,mkdir,mkdirat,rmdir,chdir,fchdir
STRACE_SET+=,%process

# tmpfs is ignored by default; this rules file tracks it (the issue's
# "filtering disabled" case), so duraudit does full work for /dev/shm files.
TRACK_TMPFS=$OUT/track-tmpfs.yaml
printf 'filesystems:\n  track: [tmpfs]\n' >"$TRACK_TMPFS"

# SQL: 2,000 inserts, each its own transaction (autocommit). WAL mode: one
# fsync per commit; the default rollback journal costs ~3 fsyncs per commit
# (35 s per run on this disk), too slow for 25 interleaved runs.
SQL=$OUT/inserts.sql
{
  echo "PRAGMA journal_mode=WAL;"
  echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
  for ((i = 0; i < 2000; i++)); do echo "INSERT INTO t(v) VALUES('row $i: some payload of a realistic size');"; done
} >"$SQL"

median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; print m}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b>0) printf "%.2f", a/b; else print "nan"}'; }
json_field() { grep '"type":"summary"' "$1" | tail -1 | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }

REPORT=$OUT/report.md
: >"$REPORT"
out() { echo "$*" | tee -a "$REPORT"; }

out "# duraudit benchmarks, $(date -u +'%Y-%m-%d %H:%M UTC')"
out ""
out "- host: $(hostname), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), kernel $(uname -r)"
out "- duraudit $(git -C "$ROOT" rev-parse --short HEAD) ($(grep -s "^CMAKE_BUILD_TYPE:" "$BUILD/CMakeCache.txt" | cut -d= -f2 | grep . || echo "RelWithDebInfo, the default")), strace $(strace -V | head -1 | awk '{print $4}'), $(bpftrace --version)"
out "- disk dir: $DISK ($(stat -f -c %T "$DISK")), tmpfs dir: $SHM; runs per cell: $RUNS (median)"
out "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
out ""

# ---- 1. overhead on the traced process ----
# One cell: run workload $name under tool $col, appending its run time (the
# workload's own wall time, measured by timeit inside the tracer) to a file.
#   cell COL NAME [--stdin FILE] -- CMD ARGS...
cell() {
  local col=$1 name=$2
  shift 2
  local t=$OUT/times/$name.$col pre=()
  if [[ $1 == --stdin ]]; then pre=(--stdin "$2"); shift 2; fi
  shift  # --
  local timed=("$B/timeit" "$t" "${pre[@]}" -- "$@")
  case $col in
    untraced) "${timed[@]}" ;;
    duraudit)
      "$DURAUDIT" run --format json --rules "$TRACK_TMPFS" -o "$OUT/$name.duraudit.json" -- "${timed[@]}" ||
        [[ $? == 3 ]] || { log "duraudit run failed on $name"; return 1; } ;;
    # stacks section: the same run without stacks, and with a stack for
    # every call that can become evidence (no per-process budget)
    dur_nostacks)
      "$DURAUDIT" run --stacks=off --format json --rules "$TRACK_TMPFS" -o "$OUT/$name.nostacks.json" -- "${timed[@]}" ||
        [[ $? == 3 ]] || { log "duraudit run --stacks=off failed on $name"; return 1; } ;;
    dur_allstacks)
      "$DURAUDIT" run --stack-rate 0 --format json --rules "$TRACK_TMPFS" -o "$OUT/$name.allstacks.json" -- "${timed[@]}" ||
        [[ $? == 3 ]] || { log "duraudit run --stack-rate 0 failed on $name"; return 1; } ;;
    strace) strace -f -qq -o /dev/null -e trace="$STRACE_SET" -- "${timed[@]}" ;;
    bt_print) bpftrace -o /dev/null -c "${timed[*]}" "$BT/print_events.bt" >/dev/null 2>"$OUT/bpftrace.err" ;;
    bt_count) bpftrace -o /dev/null -c "${timed[*]}" "$BT/count_events.bt" >/dev/null 2>"$OUT/bpftrace.err" ;;
  esac
}

COLS=(untraced duraudit strace bt_print bt_count)
declare -A WL_CMD WL_DESC
WL_ORDER=(churn_disk churn_tmpfs churn_fsync sqlite small_writes)
WL_DESC[churn_disk]="churn, 20k iterations, ext4"
WL_DESC[churn_tmpfs]="churn, 20k iterations, tmpfs (tracked)"
WL_DESC[churn_fsync]="churn + fsync, 1,000 iterations, ext4"
WL_DESC[sqlite]="sqlite3, 2,000 single-row transactions (WAL), ext4"
WL_DESC[small_writes]="100k 16-byte writes to one file, ext4"
run_workload() {
  local name=$1 col=$2
  case $name in
    churn_disk) cell "$col" "$name" -- "$B/churn" "$DISK" 20000 ;;
    churn_tmpfs) cell "$col" "$name" -- "$B/churn" "$SHM" 20000 ;;
    # fsync latency varies run to run (0.1-0.5 ms here): 1,000 iterations keep
    # a run near half a second, long enough for a median to mean something
    churn_fsync) cell "$col" "$name" -- "$B/churn" "$DISK" 1000 --fsync ;;
    sqlite) rm -f "$DISK"/bench.db*; cell "$col" "$name" --stdin "$SQL" -- sqlite3 "$DISK/bench.db" ;;
    small_writes) cell "$col" "$name" -- "$B/small_writes" "$DISK/small_writes.dat" 100000 ;;
  esac
}

if want overhead; then
  log "overhead on the traced process: ${#WL_ORDER[@]} workloads x ${#COLS[@]} columns x $RUNS rounds, interleaved"
  for name in "${WL_ORDER[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
      for col in "${COLS[@]}"; do run_workload "$name" "$col" >/dev/null; done
    done
    log "  $name done ($(median "$OUT/times/$name.untraced") s untraced)"
  done
  out "## 1. Overhead on the traced process"
  out ""
  out "Wall time of the workload itself (median of $RUNS interleaved rounds), and its ratio to the untraced run."
  out "duraudit: \`duraudit run --format json --rules track-tmpfs.yaml -o FILE -- CMD\`;"
  out "strace: \`strace -f -qq -o /dev/null -e trace=<duraudit's syscalls>,%process\`;"
  out "bpftrace print: bench/bpftrace/print_events.bt (same syscalls, one line per call, \`-o /dev/null\`); bpftrace count: bench/bpftrace/count_events.bt."
  out ""
  out "| workload | untraced | duraudit run | strace -f | bpftrace print | bpftrace count | duraudit events (lost) |"
  out "| --- | --- | --- | --- | --- | --- | --- |"
  for name in "${WL_ORDER[@]}"; do
    base=$(median "$OUT/times/$name.untraced")
    row="| ${WL_DESC[$name]} | $(printf '%.3f s' "$base")"
    for col in duraudit strace bt_print bt_count; do
      m=$(median "$OUT/times/$name.$col")
      row+=" | $(printf '%.3f s' "$m") **$(ratio "$m" "$base")x**"
    done
    j=$OUT/$name.duraudit.json
    row+=" | $(json_field "$j" events) ($(json_field "$j" events_lost)) |"
    out "$row"
  done
  out ""
fi

# ---- stacks: the cost of user stacks (docs/stacks.md) ----
if want stacks; then
  STACK_WL=(churn_disk small_writes churn_fsync)
  STACK_COLS=(untraced dur_nostacks duraudit dur_allstacks)
  log "stacks: ${#STACK_WL[@]} workloads x ${#STACK_COLS[@]} columns x $RUNS rounds, interleaved"
  for name in "${STACK_WL[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
      for col in "${STACK_COLS[@]}"; do run_workload "$name" "$col" >/dev/null; done
    done
    log "  $name done"
  done
  stacks_sent() { grep '"type":"summary"' "$1" | tail -1 | sed -n 's/.*"stacks":{[^}]*"sent":\([0-9]*\).*/\1/p'; }
  out "## Stacks"
  out ""
  out "Wall time of the workload (median of $RUNS interleaved rounds) under \`duraudit run\` without stacks (\`--stacks=off\`),"
  out "with the default stacks (on, 16 KiB copied per stack, a burst of 256 then 100 per second per process), and with a stack"
  out "for every call that can become evidence (\`--stack-rate 0\`); ratios to the untraced run, and to \`--stacks=off\`."
  out ""
  out "| workload | untraced | --stacks=off | stacks (default) | vs off | --stack-rate 0 | vs off | stacks sent (default / rate 0) |"
  out "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for name in "${STACK_WL[@]}"; do
    base=$(median "$OUT/times/$name.untraced")
    off=$(median "$OUT/times/$name.dur_nostacks")
    on=$(median "$OUT/times/$name.duraudit")
    all=$(median "$OUT/times/$name.dur_allstacks")
    out "| ${WL_DESC[$name]} | $(printf '%.3f s' "$base") | $(printf '%.3f s' "$off") **$(ratio "$off" "$base")x** | $(printf '%.3f s' "$on") **$(ratio "$on" "$base")x** | $(ratio "$on" "$off")x | $(printf '%.3f s' "$all") **$(ratio "$all" "$base")x** | $(ratio "$all" "$off")x | $(stacks_sent "$OUT/$name.duraudit.json") / $(stacks_sent "$OUT/$name.allstacks.json") |"
  done
  out ""
fi

# ---- 2. overhead on processes duraudit does not trace ----
if want other; then
  log "overhead on untraced processes: churn on tmpfs while duraudit / bpftrace trace another (idle) process"
  for ((r = 1; r <= RUNS; r++)); do
    "$B/timeit" "$OUT/times/other.alone" -- "$B/churn" "$SHM" 20000
    for tool in duraudit bt_count; do
      fifo=$OUT/fifo ready=$OUT/ready
      rm -f "$fifo" "$ready" && mkfifo "$fifo"
      # the target signals it runs (tracing is attached by then) and waits on
      # the fifo; a script file, as bpftrace -c splits its command on spaces
      printf ': > %s\nread x < %s\n' "$ready" "$fifo" >"$OUT/target.sh"
      if [[ $tool == duraudit ]]; then
        "$DURAUDIT" run --format json -o /dev/null -- sh "$OUT/target.sh" &
      else
        bpftrace -c "/bin/sh $OUT/target.sh" "$BT/count_events.bt" >/dev/null 2>&1 &
      fi
      tpid=$!
      for ((i = 0; i < 300; i++)); do [[ -e $ready ]] && break; sleep 0.05; done
      [[ -e $ready ]] || { log "the traced target did not start"; exit 1; }
      "$B/timeit" "$OUT/times/other.$tool" -- "$B/churn" "$SHM" 20000
      echo >"$fifo"
      wait "$tpid" || true
    done
  done
  base=$(median "$OUT/times/other.alone")
  out "## 2. Overhead on processes that are not traced"
  out ""
  out "The churn loop on tmpfs (20k iterations), untraced, while a tracer follows a different, idle process (median of $RUNS interleaved rounds)."
  out ""
  out "| nothing attached | duraudit run tracing another process | bpftrace count tracing another process |"
  out "| --- | --- | --- |"
  d=$(median "$OUT/times/other.duraudit") c=$(median "$OUT/times/other.bt_count")
  out "| $(printf '%.3f s' "$base") | $(printf '%.3f s' "$d") **$(ratio "$d" "$base")x** | $(printf '%.3f s' "$c") **$(ratio "$c" "$base")x** |"
  out ""
fi

# ---- 2b. asynchronous I/O: fio through io_uring and libaio ----
# IOPS of fio's own job (4 KiB random writes into a 64 MiB file, buffered,
# time based), untraced and under `duraudit run`, interleaved; and the
# small-write loop (no io_uring, no AIO) in the same rounds, which must not
# pay for the io_uring and AIO handlers.
fio_iops() {  # fio_iops ENGINE OUTFILE [duraudit]
  local engine=$1 t=$2 j=$OUT/fio.json
  local cmd=(fio --name=b --ioengine="$engine" --rw=randwrite --bs=4k --size=64m --iodepth=16
             --filename="$DISK/fio.dat" --direct=0 --time_based --runtime=4 --output-format=json --output="$j")
  if [[ ${3:-} == duraudit ]]; then
    "$DURAUDIT" run --format json -o "$OUT/fio.$engine.duraudit.json" -- "${cmd[@]}" || [[ $? == 3 ]] ||
      { log "duraudit run failed on fio $engine"; return 1; }
  else
    "${cmd[@]}"
  fi
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][0]["write"]["iops"])' "$j" >>"$t"
}
if want async; then
  log "asynchronous I/O: fio io_uring / libaio and the small-write loop, untraced vs duraudit, $RUNS rounds"
  for ((r = 1; r <= RUNS; r++)); do
    for engine in io_uring libaio; do
      fio_iops "$engine" "$OUT/times/fio.$engine.untraced"
      fio_iops "$engine" "$OUT/times/fio.$engine.duraudit" duraudit
    done
    for col in untraced duraudit; do run_workload small_writes "$col" >/dev/null; done
  done
  out "## 2b. Asynchronous I/O"
  out ""
  out "fio, 4 KiB buffered random writes into a 64 MiB file for 4 s (iodepth 16), IOPS (higher is better), and the 100k 16-byte write loop (seconds), median of $RUNS interleaved rounds. duraudit: \`duraudit run --format json -o FILE -- CMD\`."
  out ""
  out "| workload | untraced | duraudit run | duraudit events (lost) |"
  out "| --- | --- | --- | --- |"
  for engine in io_uring libaio; do
    u=$(median "$OUT/times/fio.$engine.untraced") d=$(median "$OUT/times/fio.$engine.duraudit")
    j=$OUT/fio.$engine.duraudit.json
    out "| fio --ioengine=$engine | $(printf '%.0f' "$u") IOPS | $(printf '%.0f' "$d") IOPS **$(ratio "$d" "$u")x** | $(json_field "$j" events) ($(json_field "$j" events_lost)) |"
  done
  u=$(median "$OUT/times/small_writes.untraced") d=$(median "$OUT/times/small_writes.duraudit")
  j=$OUT/small_writes.duraudit.json
  out "| ${WL_DESC[small_writes]} | $(printf '%.3f s' "$u") | $(printf '%.3f s' "$d") **$(ratio "$d" "$u")x** | $(json_field "$j" events) ($(json_field "$j" events_lost)) |"
  out ""
fi

# ---- 3. engine throughput and memory ----
if want engine; then
  log "engine: generating a $ENGINE_EVENTS-event recording"
  REC=$DISK/mix.rec
  n=$("$GEN" mix "$ENGINE_EVENTS" "$REC")
  cat "$REC" >/dev/null  # page cache: measure the engine, not the disk
  : >"$OUT/times/engine.wall"; : >"$OUT/times/engine.cpu"
  for ((r = 1; r <= 3; r++)); do
    perf stat -x, -e task-clock -o "$OUT/engine.perf" -- \
      "$B/timeit" "$OUT/times/engine.wall" -- taskset -c 0 "$DURAUDIT" replay --format json -o "$OUT/engine.json" "$REC" ||
      [[ $? == 3 ]] || true
    awk -F, '/task-clock/ {print $1/1000}' "$OUT/engine.perf" >>"$OUT/times/engine.cpu"  # msec -> s
  done
  wall=$(median "$OUT/times/engine.wall") cpu=$(median "$OUT/times/engine.cpu")
  findings=$(grep -c '"type":"finding"' "$OUT/engine.json" || true)
  rm -f "$REC"
  out "## 3. Engine throughput and memory"
  out ""
  out "\`taskset -c 0 duraudit replay --format json -o FILE\` of a generated recording (bench/gen_recording.cpp \`mix\`: 64 processes doing write-temp/fsync/rename/dir-fsync/expire plus log appends; $n events, $findings findings). Median of 3."
  out ""
  out "| events | wall | CPU time | events/s (wall) | events/s (CPU) |"
  out "| --- | --- | --- | --- | --- |"
  out "| $n | $(printf '%.2f s' "$wall") | $(printf '%.2f s' "$cpu") | $(awk -v n="$n" -v w="$wall" 'BEGIN{printf "%.0f", n/w}') | $(awk -v n="$n" -v c="$cpu" 'BEGIN{printf "%.0f", n/c}') |"
  out ""
  # Peak RSS at three scales; the slope is the cost of one more file/process.
  mem_row() {
    local mode=$1 label=$2; shift 2
    local xs=() ys=() s
    for s in "$@"; do
      "$GEN" "$mode" "$s" "$OUT/mem.rec" >/dev/null
      /usr/bin/time -f %M -o "$OUT/mem.kb" "$DURAUDIT" replay --format json -o /dev/null "$OUT/mem.rec" || true
      xs+=("$s"); ys+=("$(tail -1 "$OUT/mem.kb")")
    done
    local slope
    slope=$(awk -v x1="${xs[0]}" -v y1="${ys[0]}" -v x2="${xs[-1]}" -v y2="${ys[-1]}" 'BEGIN{printf "%.0f", (y2-y1)*1024/(x2-x1)}')
    out "| $label | $(for i in "${!xs[@]}"; do printf '%s: %s MiB; ' "${xs[$i]}" "$(awk -v k="${ys[$i]}" 'BEGIN{printf "%.1f", k/1024}')"; done) | **$slope bytes** |"
  }
  out "| peak RSS of replay | at N = | per one more |"
  out "| --- | --- | --- |"
  mem_row open-files "N open files, each written, one process" 50000 100000 200000
  mem_row processes "N live processes, one open file each" 10000 20000 40000
  rm -f "$OUT/mem.rec"
  out ""
fi

# ---- 4. loss at the default ring-buffer size ----
if want loss; then
  log "loss: stepping up the event rate under duraudit run (default 16 MiB ring buffer)"
  out "## 4. Lost events at the default ring buffer (16 MiB)"
  out ""
  out "bench/workloads/rate_events.c: dup+close pairs paced to a target rate for 3 s, under \`duraudit run --format json\`."
  out ""
  out "| asked events/s | achieved events/s | events captured | events lost |"
  out "| --- | --- | --- | --- |"
  lossy=0 best=0
  for rate in 100000 250000 500000 750000 1000000 1500000 2000000; do
    "$DURAUDIT" run --format json -o "$OUT/loss.json" -- "$B/rate_events" "$rate" 3 2>"$OUT/loss.err" || true
    got=$(sed -n 's/.*= \([0-9]*\) events\/s.*/\1/p' "$OUT/loss.err")
    ev=$(json_field "$OUT/loss.json" events) lost=$(json_field "$OUT/loss.json" events_lost)
    out "| $rate | $got | $ev | $lost |"
    if [[ $lost == 0 ]]; then best=$got; else lossy=$((lossy + 1)); fi
    ((lossy < 2)) || break
  done
  out ""
  out "Highest sustained rate with zero loss: **$best events/s**."
  out ""
fi

out "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$ROOT/bench/results"
dest=$ROOT/bench/results/$(date +%F)-$(hostname).md
# Keep earlier reports of the same day: -2, -3, ...
i=2
while [[ -e $dest ]]; do dest=$ROOT/bench/results/$(date +%F)-$(hostname)-$i.md; i=$((i + 1)); done
cp "$REPORT" "$dest"
log "report written to $dest"
rm -rf "$SHM"
