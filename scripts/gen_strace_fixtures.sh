#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Regenerates the real strace fixtures in tests/data/strace/real_*.log by
# tracing real programs (sqlite3, python3, coreutils) under the strace flag
# sets users actually run. The workloads run in a fixed scratch directory
# (/tmp/duraudit-fx) so paths in the logs are stable; pids and times are not.
# The fixtures are committed: the unit tests only parse them.
#
# usage: scripts/gen_strace_fixtures.sh [OUTDIR]   (default tests/data/strace)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/tests/data/strace}
mkdir -p "$out"
work=/tmp/duraudit-fx
py=/usr/bin/python3

fresh() { rm -rf "$work"; mkdir -p "$work"; cd "$work"; }

# 1. sqlite3 creating a table and inserting, strace -f (bare "PID  " prefixes)
fresh
strace -f -o "$out/real_sqlite_f.log" \
  sqlite3 "$work/test.db" "CREATE TABLE t(x INTEGER, y TEXT); INSERT INTO t VALUES (1, 'one'); INSERT INTO t VALUES (2, 'two');"

# 2. python3 write temp + fsync + os.replace, strace -f -tt -yy
fresh
strace -f -tt -yy -o "$out/real_python_replace_f_tt_yy.log" $py -S -c '
import os
with open("/tmp/duraudit-fx/state.json.tmp", "w") as f:
    f.write("{\"counter\": 1}\n")
    f.flush()
    os.fsync(f.fileno())
os.replace("/tmp/duraudit-fx/state.json.tmp", "/tmp/duraudit-fx/state.json")
'

# 3. coreutils cp / mv / install from a shell, strace -ff -o (one file per pid)
fresh
echo "payload" > "$work/a.txt"
rm -f "$out"/real_coreutils_ff.log.*
strace -ff -o "$out/real_coreutils_ff.log" sh -c \
  'cp /tmp/duraudit-fx/a.txt /tmp/duraudit-fx/b.txt && mv /tmp/duraudit-fx/b.txt /tmp/duraudit-fx/c.txt && install -m 644 /tmp/duraudit-fx/c.txt /tmp/duraudit-fx/d.txt'

# 4. multithreaded python writer, strace -f -ttt -T -xx: threads interleave,
#    so the log has <unfinished ...> / <... resumed> pairs.
fresh
strace -f -ttt -T -xx -o "$out/real_python_threads_f_ttt_T_xx.log" $py -S -c '
import os, threading
def worker(i):
    p = "/tmp/duraudit-fx/t%d.dat" % i
    with open(p + ".tmp", "wb") as f:
        for _ in range(20):
            f.write(b"x" * 100)
            f.flush()
        os.fsync(f.fileno())
    os.rename(p + ".tmp", p)
ts = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
'

# 5. coreutils mv + cp with relative timestamps (-f -r)
fresh
echo "payload" > "$work/a.txt"
strace -f -r -o "$out/real_coreutils_f_r.log" sh -c \
  'cd /tmp/duraudit-fx && cp a.txt b.txt && mv b.txt c.txt'

# 6. a filtered log (-e trace=...without writes): duraudit assumes writes
fresh
strace -f -e trace=openat,close,rename,renameat,renameat2,fsync,unlink,execve -o "$out/real_python_filtered.log" $py -S -c '
import os
with open("/tmp/duraudit-fx/out.tmp", "w") as f:
    f.write("hello\n")
os.rename("/tmp/duraudit-fx/out.tmp", "/tmp/duraudit-fx/out.txt")
'
rm -rf "$work"
echo "fixtures written to $out"
