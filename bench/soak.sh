#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Soak benchmark for `duraudit attach --all` (not run in CI; needs root).
#
# Runs attach --all with metrics for DURATION seconds while bench/churn.c
# churns files (create, write, fsync or not, rename, unlink) across many
# directories and short-lived processes. Every SAMPLE_EVERY seconds it
# records duraudit's RSS (VmRSS from /proc/PID/status) and, from its
# /metrics, events analysed, events lost and tracked state. At the end it
# stops attach with SIGTERM and reads the summary line (events_lost).
# The table goes to stdout and to bench/results/soak-<date>.md.
#
#   sudo bench/soak.sh [DURATION_SECONDS]          # default 600 (10 minutes)
#
# Environment:
#   DURAUDIT_BIN   duraudit binary (default: build-release/duraudit, else build/duraudit)
#   SAMPLE_EVERY   seconds between samples (default 10)
#   WORKERS DIRS RATE   churn workers, directories per worker, files/s per worker (4 64 200)
#   SCRATCH        where the churn writes; must be a disk filesystem (default /var/tmp)
#   RESULTS_DIR    where the results file goes (default bench/results)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
duration=${1:-600}
sample_every=${SAMPLE_EVERY:-10}
workers=${WORKERS:-4}
dirs=${DIRS:-64}
rate=${RATE:-200}
results_dir=${RESULTS_DIR:-$here/results}
if [[ -z "${DURAUDIT_BIN:-}" ]]; then
  if [[ -x $repo/build-release/duraudit ]]; then DURAUDIT_BIN=$repo/build-release/duraudit; else DURAUDIT_BIN=$repo/build/duraudit; fi
fi

die() { echo "soak.sh: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || die "needs root (attach loads eBPF programs)"
[[ -x $DURAUDIT_BIN ]] || die "no duraudit binary at $DURAUDIT_BIN; build it or set DURAUDIT_BIN"
command -v cc >/dev/null || die "needs a C compiler (cc) for bench/churn.c"
command -v curl >/dev/null || die "needs curl to read /metrics"

work=$(mktemp -d "${SCRATCH:-/var/tmp}/duraudit-soak.XXXXXX")
fs=$(stat -f -c %T "$work")
[[ $fs != tmpfs && $fs != ramfs ]] || die "$work is on $fs: duraudit ignores it; set SCRATCH to a disk filesystem"
attach_pid= churn_pid=
cleanup() {
  # Only what this script started, by pid.
  [[ -n $churn_pid ]] && kill "$churn_pid" 2>/dev/null || true
  [[ -n $attach_pid ]] && kill "$attach_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/churn" "$here/churn.c"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
findings=$work/findings.jsonl

"$DURAUDIT_BIN" --log-level info attach --all --format json -o "$findings" \
  --metrics-listen "127.0.0.1:$port" >"$work/attach.out" 2>"$work/attach.err" &
attach_pid=$!
for _ in $(seq 600); do
  grep -q "attached to" "$work/attach.err" && break
  kill -0 "$attach_pid" 2>/dev/null || die "attach exited: $(cat "$work/attach.err")"
  sleep 0.1
done
grep -q "attached to" "$work/attach.err" || die "attach did not start within 60 s"

"$work/churn" "$work/churn-root" "$duration" "$workers" "$dirs" "$rate" >"$work/churn.out" &
churn_pid=$!

# One metric's value summed over its series ("" when absent).
metric() { awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $NF; f = 1 } END { if (f) printf "%d", s }' "$work/metrics"; }

rows=()
header="| elapsed (s) | RSS (MiB) | peak RSS (MiB) | events | events/s | lost | tracked processes | tracked files | evictions | findings |"
rule="|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "$header"; echo "$rule"
start=$(date +%s)
prev_events=0 prev_t=$start first_rss= half_rss= last_rss= max_rss=0
while :; do
  now=$(date +%s)
  elapsed=$((now - start))
  kill -0 "$attach_pid" 2>/dev/null || die "attach died at ${elapsed}s: $(tail -5 "$work/attach.err")"
  rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$attach_pid/status")
  hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$attach_pid/status")
  curl -s --max-time 5 "http://127.0.0.1:$port/metrics" >"$work/metrics" || : >"$work/metrics"
  events=$(metric duraudit_events_total); lost=$(metric duraudit_events_lost_total)
  procs=$(metric duraudit_tracked_processes); files=$(metric duraudit_tracked_files)
  evictions=$(metric duraudit_state_evictions_total)
  nfind=$(grep -c '"type":"finding"' "$findings" 2>/dev/null || true)
  rate_now=$(( (${events:-0} - prev_events) / ( now > prev_t ? now - prev_t : 1 ) ))
  prev_events=${events:-0} prev_t=$now
  row=$(printf "| %d | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s |" "$elapsed" "$(echo "$rss_kb/1024" | bc -l)" \
    "$(echo "$hwm_kb/1024" | bc -l)" "${events:-?}" "$rate_now" "${lost:-?}" "${procs:-?}" "${files:-?}" \
    "${evictions:-?}" "${nfind:-0}")
  echo "$row"; rows+=("$row")
  [[ -z $first_rss && $elapsed -ge 60 ]] && first_rss=$rss_kb
  [[ -z $half_rss && $elapsed -ge $((duration / 2)) ]] && half_rss=$rss_kb
  last_rss=$rss_kb
  (( rss_kb > max_rss )) && max_rss=$rss_kb
  kill -0 "$churn_pid" 2>/dev/null || break
  sleep "$sample_every"
done
wait "$churn_pid" || true
churn_pid=

kill -TERM "$attach_pid"
for _ in $(seq 300); do kill -0 "$attach_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$attach_pid" 2>/dev/null; then kill -KILL "$attach_pid"; die "attach did not exit within 30 s of SIGTERM"; fi
wait "$attach_pid" && status=0 || status=$?
attach_pid=
summary=$(grep '"type":"summary"' "$findings" | tail -1)
[[ -n $summary ]] || die "no summary line after SIGTERM (exit status $status)"
events_lost=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["events_lost"])' "$summary")
total_events=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["events"])' "$summary")

[[ -n $first_rss ]] || first_rss=$last_rss
[[ -n $half_rss ]] || half_rss=$last_rss
growth=$(echo "($last_rss - $first_rss) * 100 / $first_rss" | bc -l)
# "Flat" is judged on the second half: memory first grows with the working
# set (the files the churn keeps around, the processes it runs) and must
# then stop growing. Growth over the whole run is reported beside it.
late_growth=$(echo "($last_rss - $half_rss) * 100 / $half_rss" | bc -l)
verdict=$(python3 -c "import sys; print('flat' if abs(float(sys.argv[1])) <= 5 else 'NOT flat')" "$late_growth")
mkdir -p "$results_dir"
out=$results_dir/soak-$(date +%Y-%m-%d).md
{
  echo "# duraudit attach --all soak, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- duraudit: \`$("$DURAUDIT_BIN" --version)\` ($DURAUDIT_BIN)"
  echo "- host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "- duration: ${duration}s, sampled every ${sample_every}s"
  echo "- workload: bench/churn.c, $workers workers x $dirs directories, $rate files/s per worker target;"
  echo "  $(awk '{f+=$4; r+=$6; u+=$8; p+=$10} END {printf "%d files, %d renames, %d unlinks in the workers, %d short-lived processes", f, r, u, p}' "$work/churn.out")"
  echo "  (files made by the short-lived processes are not in these counts), plus whatever else ran on the host"
  echo "- command: \`duraudit attach --all --format json -o FILE --metrics-listen 127.0.0.1:PORT\`"
  echo
  echo "$header"; echo "$rule"
  printf '%s\n' "${rows[@]}"
  echo
  echo "RSS over the second half ($((duration / 2)) s to the end): $((half_rss / 1024)) MiB -> $((last_rss / 1024)) MiB" \
       "($(printf %+.1f "$late_growth") %): **$verdict** (flat: within 5 %); highest sample $((max_rss / 1024)) MiB."
  echo "From the first sample after 60 s (working set still filling): $((first_rss / 1024)) MiB ->" \
       "$((last_rss / 1024)) MiB ($(printf %+.1f "$growth") %)."
  echo
  echo "Summary after SIGTERM (exit status $status): events $total_events, **events_lost $events_lost**."
  echo
  echo '```json'
  echo "$summary"
  echo '```'
} >"$out"
echo
echo "RSS second half $((half_rss / 1024)) -> $((last_rss / 1024)) MiB ($(printf %+.1f "$late_growth") %, $verdict);" \
     "from 60 s $((first_rss / 1024)) -> $((last_rss / 1024)) MiB ($(printf %+.1f "$growth") %); events $total_events, events_lost $events_lost"
echo "results: $out"
