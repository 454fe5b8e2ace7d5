// SPDX-License-Identifier: GPL-2.0-only
// Live: known syscall sequences (tests/programs) produce exactly the expected
// event sequences, with raw arguments, results and kernel inode identities.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <map>
#include <set>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// dev/ino of a path as the kernel encodes it in events
FileId stat_id(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {};
  return FileId{kernel_dev_from_user(st.st_dev), st.st_ino};
}

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

TEST(LiveSequences, RelativePathsWithDirfdAndChdir) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("relative_paths"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("relative_paths") + "\")",
      "openat(AT_FDCWD, \"$D\", O_RDONLY|O_DIRECTORY) = 3",
      "openat(3, \"a.txt\", O_WRONLY|O_CREAT|O_TRUNC) = 4 created",
      "write(4) = 5",
      "close(4) = 0",
      "chdir(\"$D\") = 0",
      "openat(AT_FDCWD, \"b.txt\", O_WRONLY|O_CREAT|O_EXCL) = 4 created",
      "write(4) = 5",
      "fsync(4) = 0",
      "close(4) = 0",
      "mkdirat(3, \"sub\", 755) = 0",
      "renameat(3, \"a.txt\", 3, \"sub/a.txt\") = 0",
      "openat(AT_FDCWD, \"sub/a.txt\", O_RDONLY) = 4",
      "close(4) = 0",
      "unlinkat(3, \"b.txt\", 0x0) = 0",
      "unlinkat(3, \"sub/a.txt\", 0x0) = 0",
      "unlinkat(3, \"sub\", 0x200) = 0",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 19) {
    // same inode for a.txt before and after the rename, a different one for b.txt
    EXPECT_TRUE(ev[2].file.known());
    EXPECT_EQ(ev[2].file.id, ev[3].file.id);    // openat a.txt / write to it
    EXPECT_EQ(ev[2].file.id, ev[12].file.id);   // reopened as sub/a.txt
    EXPECT_NE(ev[2].file.id, ev[6].file.id);
    EXPECT_EQ(ev[6].file.id, ev[8].file.id);    // fsync(b.txt)
    EXPECT_EQ(ev[1].file.mode, S_IFDIR);
    EXPECT_EQ(ev[2].file.mode, S_IFREG);
    EXPECT_EQ(ev[1].file.id, stat_id(d.path()));
    EXPECT_EQ(ev[2].file.fs_magic, 0xEF53u);    // ext4 (the build tree)
    EXPECT_EQ(ev[3].bytes, 5u);
  }
}

}  // namespace
}  // namespace duraudit::live

namespace duraudit::live {
namespace {

TEST(LiveSequences, Dup2ThenCloseOriginalAndCloseRange) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("dup_close"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("dup_close") + "\")",
      "openat(AT_FDCWD, \"$D/f.txt\", O_WRONLY|O_CREAT) = 3 created",
      "dup2(3, 10) = 10",
      "close(3) = 0",
      "write(10) = 3",
      "fcntl(10, 1030, 20) = 20",
      "fcntl(10, 2, 1) = 0",
      "dup3(10, 11, O_RDONLY|O_CLOEXEC) = 11",
      "dup(10) = 3",
      "close_range(10, 30, 0x0) = 0",
      "close(3) = 0",
      // close(10) = -EBADF: a failure that changes nothing is dropped in the kernel
      "exit(0) group_dead",
  }));
  if (ev.size() == 12) {
    EXPECT_EQ(ev[1].file.id, ev[4].file.id);  // write through the dup
  }
}

TEST(LiveSequences, ForkedChildWritesAndExitsWithoutClose) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("fork_child"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto all = after_markers(run.events);
  auto parent = of_pid(all, run.pid);
  ASSERT_GE(parent.size(), 2u);
  ASSERT_EQ(parent[1].syscall, Syscall::Fork);
  int child = parent[1].child_pid;
  EXPECT_NE(child, run.pid);
  EXPECT_EQ(parent[1].child_tid, child);
  EXPECT_THAT(describe_all(parent, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("fork_child") + "\")",
      "fork process",
      "openat(AT_FDCWD, \"$D/parent.txt\", O_WRONLY|O_CREAT) = 3 created",
      "write(3) = 11",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  EXPECT_THAT(describe_all(of_pid(all, child), d.path()), ElementsAreArray(std::vector<std::string>{
      "openat(AT_FDCWD, \"$D/child.txt\", O_WRONLY|O_CREAT|O_TRUNC) = 3 created",
      "write(3) = 10",
      "exit(768) group_dead",  // _exit(3): 3 << 8
  }));
  // The fork event precedes every event of the child in the stream.
  size_t fork_at = 0, first_child = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].syscall == Syscall::Fork && !fork_at) fork_at = i + 1;
    if (all[i].pid == child && !first_child) first_child = i + 1;
  }
  EXPECT_LT(fork_at, first_child);
}

TEST(LiveSequences, ThreadsWritingTheSameFdYieldOneWriteEvent) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("threads_write"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  std::map<std::string, int> count;
  std::set<int> tids;
  FileId file;
  for (const auto& e : ev) {
    count[describe(e, d.path())]++;
    if (e.syscall == Syscall::Openat) file = e.file.id;
    if (e.syscall == Syscall::Write) {
      EXPECT_EQ(e.file.id, file);
      EXPECT_EQ(e.fd, 3);
    }
    if (e.syscall == Syscall::Fork) {
      EXPECT_EQ(e.child_pid, run.pid);
      tids.insert(e.child_tid);
    }
  }
  EXPECT_EQ(count["openat(AT_FDCWD, \"$D/shared.txt\", O_WRONLY|O_CREAT|O_APPEND) = 3 created"], 1);
  EXPECT_EQ(count["fork thread shares_files"], 4);
  EXPECT_EQ(tids.size(), 4u);
  // 400 writes from four threads: one event (the epoch is claimed atomically)
  EXPECT_EQ(count["write(3) = 10"], 1);
  EXPECT_EQ(count["exit(0)"], 4);  // the threads
  EXPECT_EQ(count["fsync(3) = 0"], 1);
  EXPECT_EQ(count["close(3) = 0"], 1);
  EXPECT_EQ(count["exit(0) group_dead"], 1);
  EXPECT_EQ(ev.size(), 1u + 1 + 4 + 1 + 4 + 1 + 1 + 1);
}

TEST(LiveSequences, TmpfileLinkedWithEmptyPath) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("tmpfile_link"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("tmpfile_link") + "\")",
      // an O_TMPFILE has no directory entry: the kernel does not set FMODE_CREATED
      "openat(AT_FDCWD, \"$D\", O_WRONLY|O_TMPFILE) = 3",
      "write(3) = 9",
      "fsync(3) = 0",
      "linkat(3, \"\", AT_FDCWD, \"$D/published.txt\", 0x1000) = 0",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 7) {
    FileId published = stat_id(d / "published.txt");
    EXPECT_EQ(ev[1].file.id, published);  // the O_TMPFILE inode...
    EXPECT_EQ(ev[1].file.mode, S_IFREG);
    EXPECT_EQ(ev[4].file.id, published);  // ...is what linkat published
  }
}

TEST(LiveSequences, VectoredAndPositionalWritesDeduplicatedPerEpoch) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("vectored_writes"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("vectored_writes") + "\")",
      "openat(AT_FDCWD, \"$D/v1\", O_WRONLY|O_CREAT) = 3 created",
      "openat(AT_FDCWD, \"$D/v2\", O_WRONLY|O_CREAT) = 4 created",
      "writev(3) = 10",
      "pwrite64(4) = 2",
      "fdatasync(4) = 0",
      "pwritev2(4) = 4",
      "close(3) = 0",
      "close(4) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 10) {
    EXPECT_EQ(ev[3].file.id, ev[1].file.id);
    EXPECT_EQ(ev[4].file.id, ev[2].file.id);
    EXPECT_EQ(ev[6].file.id, ev[2].file.id);
    EXPECT_EQ(ev[3].bytes, 10u);
  }
}

TEST(LiveSequences, ExecClosesCloexecFdsAndTheNewImageExitsWithoutClose) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("exec_cloexec"), d.path(), program("exec_target")});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("exec_cloexec") + "\")",
      "openat(AT_FDCWD, \"$D/kept.txt\", O_WRONLY|O_CREAT) = 3 created",
      "openat(AT_FDCWD, \"$D/cloexec.txt\", O_WRONLY|O_CREAT|O_CLOEXEC) = 4 created",
      "write(3) = 1",
      "write(4) = 1",
      std::string("exec(\"") + program("exec_target") + "\")",
      "fsync(3) = 0",
      "write(3) = 10",
      "exit(0) group_dead",
  }));
  if (ev.size() == 9) {
    EXPECT_EQ(ev[6].file.id, ev[1].file.id);  // the inherited fd is still kept.txt
    EXPECT_EQ(ev[7].file.id, ev[1].file.id);
    EXPECT_EQ(ev[5].comm, "exec_target");
  }
}

TEST(LiveSequences, ExitWithoutClose) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("exit_noclose"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 7);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("exit_noclose") + "\")",
      "openat(AT_FDCWD, \"$D/left-open.txt\", O_WRONLY|O_CREAT) = 3 created",
      "write(3) = 4",
      "exit(1792) group_dead",
  }));
}

TEST(LiveSequences, Renameat2ExchangeAndNoreplace) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("renames"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("renames") + "\")",
      "openat(AT_FDCWD, \"$D/x\", O_WRONLY|O_CREAT) = 3 created",
      "close(3) = 0",
      "openat(AT_FDCWD, \"$D/y\", O_WRONLY|O_CREAT) = 3 created",
      "close(3) = 0",
      "renameat2(AT_FDCWD, \"$D/x\", AT_FDCWD, \"$D/y\", 0x2) = 0",
      "renameat2(AT_FDCWD, \"$D/x\", AT_FDCWD, \"$D/y\", 0x1) = -EEXIST",
      "rename(\"$D/x\", \"$D/z\") = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 9) {
    // after the exchange, y is the inode created as x, and z (the old y) the other
    EXPECT_EQ(stat_id(d / "y"), ev[1].file.id);
    EXPECT_EQ(stat_id(d / "z"), ev[3].file.id);
  }
}

// trace shows every failed call, with its errno.
TEST(LiveSequences, FailingCallsReportErrnoWhenAllFailuresAreAsked) {
  CaptureOptions all;
  all.report_all_failures = true;
  LIVE_CAPTURE_WITH_OR_RETURN(cap, all);
  TempDir d;
  auto run = run_traced(*cap, {program("failures"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("failures") + "\")",
      "openat(AT_FDCWD, \"$D/missing\", O_RDONLY) = -ENOENT",
      "openat(AT_FDCWD, \"$D/once\", O_WRONLY|O_CREAT|O_EXCL) = 3 created",
      "openat(AT_FDCWD, \"$D/once\", O_WRONLY|O_CREAT|O_EXCL) = -EEXIST",
      "mkdir(\"$D\", 755) = -EEXIST",
      "unlink(\"$D/missing\") = -ENOENT",
      "rename(\"$D/missing\", \"$D/other\") = -ENOENT",
      "chdir(\"$D/missing\") = -ENOENT",
      "close(-1) = -EBADF",
      "fsync(-1) = -EBADF",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 12) {
    EXPECT_FALSE(ev[1].file.known());  // nothing was opened
    EXPECT_TRUE(ev[1].failed());
  }
}

// Otherwise a failed call that changes nothing and that no rule judges never
// leaves the kernel: a process looping on close(-1) costs the ring buffer
// nothing (the failures that matter are kept: LiveEpochs / LiveSequences.
// Renames*, fsync errors in e2e).
TEST(LiveSequences, FailuresThatMeanNothingAreDroppedInTheKernel) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("failures"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("failures") + "\")",
      "openat(AT_FDCWD, \"$D/once\", O_WRONLY|O_CREAT|O_EXCL) = 3 created",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
}

// bind of a unix socket at a path and mknod/mknodat (mkfifo) name things
// that are not regular files; abstract, failed and inet binds name nothing.
TEST(LiveSequences, UnixSocketBindsAndFifos) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("unix_nodes"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("unix_nodes") + "\")",
      "bind(3, \"$D/sock\") = 0",
      "mknodat(AT_FDCWD, \"$D/fifo\", 10644) = 0",
#ifdef SYS_mknod
      "mknod(\"$D/fifo2\", 10600) = 0",
#else
      "mknodat(AT_FDCWD, \"$D/fifo2\", 10600) = 0",
#endif
      "unlink(\"$D/sock\") = 0",
      "unlink(\"$D/fifo\") = 0",
      "unlink(\"$D/fifo2\") = 0",
      "close(5) = 0",
      "close(6) = 0",
      "close(4) = 0",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
}

TEST(LiveSequences, EveryOtherTracedSyscall) {
  CaptureOptions options;
  options.ignored_fs_magic = {0x50495045 /* pipefs */};
  LIVE_CAPTURE_WITH_OR_RETURN(cap, options);
  TempDir d;
  auto run = run_traced(*cap, {program("misc_ops"), d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = of_pid(after_markers(run.events), run.pid);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("misc_ops") + "\")",
      "creat(\"$D/c.txt\", O_WRONLY|O_CREAT|O_TRUNC) = 3 created",
      "ftruncate(3, 4096) = 0",
      "truncate(\"$D/c.txt\", 100) = 0",
      "fallocate(3, len 8192) = 0",
      "sync_file_range(3, 0x2) = 0",
      "fdatasync(3) = 0",
      "openat2(AT_FDCWD, \"$D/o2.txt\", O_RDWR|O_CREAT) = 4 created",
      "openat(AT_FDCWD, \"$D/c.txt\", O_RDONLY) = 5",
      "copy_file_range(4, from 5) = 50",
      "syncfs(3) = 0",
      "sendfile(4, from 5) = 10",
      "mmap(4, 4096, 0x3, 0x1) = addr",  // shared, writable: a handle on o2.txt (no store follows)
      "msync(0x4) = 0",
      "sync() = 0",
      "symlink(\"c.txt\", \"$D/sym\") = 0",
      "link(\"$D/c.txt\", \"$D/hard\") = 0",
      "mkdir(\"$D/d\", 700) = 0",
      "openat(AT_FDCWD, \"$D/d\", O_RDONLY|O_DIRECTORY) = 8",
      "symlinkat(\"../c.txt\", 8, \"sym2\") = 0",
      "linkat(AT_FDCWD, \"$D/c.txt\", 8, \"hard2\", 0x0) = 0",
      "fchdir(8) = 0",
      "unlink(\"sym2\") = 0",
      "unlink(\"hard2\") = 0",
      "chdir(\"..\") = 0",
      "rmdir(\"d\") = 0",
      "open(\"$D/c.txt\", O_RDONLY) = 9",
      "close(9) = 0",
      "close(8) = 0",
      "close(4) = 0",
      "close(3) = 0",
      "close(5) = 0",
      "exit(0) group_dead",
  }));
  if (ev.size() == 32) {
    FileId c = stat_id(d / "c.txt");
    EXPECT_EQ(ev[1].file.id, c);
    EXPECT_EQ(ev[2].file.id, c);   // ftruncate
    EXPECT_EQ(ev[4].file.id, c);   // fallocate
    EXPECT_EQ(ev[6].file.id, c);   // fdatasync
    EXPECT_EQ(ev[9].file.id, stat_id(d / "o2.txt"));  // copy_file_range target
    EXPECT_EQ(ev[10].file.id.dev, c.dev);             // syncfs
    EXPECT_EQ(ev[25].file.id, c);  // open(2)
    EXPECT_EQ(ev[4].arg, 8192u);
  }
}

}  // namespace
}  // namespace duraudit::live
