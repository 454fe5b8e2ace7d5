// SPDX-License-Identifier: GPL-2.0-only
// Live: io_uring requests and Linux AIO iocbs (tests/programs/uring_ops.c,
// aio_ops.c) arrive as the operations they are, with the submitter's pid,
// the file's identity and the request's result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

using ::testing::ElementsAreArray;

FileId stat_id(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return {};
  return FileId{kernel_dev_from_user(st.st_dev), st.st_ino};
}

int exit_code(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

// The program's events. io-wq workers (iou-wrk-*) are threads the kernel
// makes without a fork tracepoint; whether one was started, and when it
// exits, is up to io_uring: their thread exits are dropped.
std::vector<Event> program_events(const Run& run) {
  std::vector<Event> out;
  for (auto& e : of_pid(after_markers(run.events), run.pid))
    if (!(e.syscall == Syscall::Exit && !e.group_dead && e.tid != run.pid)) out.push_back(std::move(e));
  return out;
}

TEST(LiveAsync, IoUringRequestsArriveAsTheirOperations) {
  LIVE_CAPTURE_OR_RETURN(cap);
  ASSERT_TRUE(cap->sees_io_uring()) << "this kernel's io_uring tracepoints were not recognised";
  TempDir d;
  auto run = run_traced(*cap, {program("uring_ops"), "ops", d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = program_events(run);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("uring_ops") + "\")",
      "io_uring_setup(8) = 3",
      "io_uring:openat(AT_FDCWD, \"$D/a\", O_WRONLY|O_CREAT) = 4 created",
      "io_uring:write(fixed) = 100",
      // writev/write_fixed/fallocate in the same epoch: deduplicated
      "io_uring:fsync(fixed, 0x1) = 0",
      "io_uring:sync_file_range(fixed, 0x2) = 0",
      "io_uring:fallocate(fixed, len 8192) = 0",
      "io_uring:ftruncate(fixed, 1000) = 0",
      "io_uring:close(4) = 0",
      "io_uring:mkdirat(AT_FDCWD, \"$D/d\", 755) = 0",
      "io_uring:renameat(AT_FDCWD, \"$D/a\", AT_FDCWD, \"$D/d/b\", 0x0) = 0",
      "io_uring:linkat(AT_FDCWD, \"$D/d/b\", AT_FDCWD, \"$D/c\", 0x0) = 0",
      "io_uring:symlinkat(\"target\", AT_FDCWD, \"$D/s\") = 0",
      "io_uring:unlinkat(AT_FDCWD, \"$D/c\", 0x0) = 0",
      "io_uring:openat2(AT_FDCWD, \"$D/h\", O_WRONLY|O_CREAT) = 4 created",
      "io_uring:close(4) = 0",
      "openat(AT_FDCWD, \"$D/g\", O_WRONLY|O_CREAT) = 4 created",
      "io_uring:write(fixed) = 64",
      "io_uring:fsync(fixed, 0x0) = 0",
      "close(4) = 0",
      "close(3) = 0",  // io_uring_queue_exit: the ring
      "exit(0) group_dead",
  }));
  ASSERT_EQ(ev.size(), 22u);
  const FileId a = stat_id(d / "d/b");
  for (int i : {2, 3, 4, 5, 6, 7}) {
    EXPECT_TRUE(ev[i].file.known()) << describe(ev[i], d.path());
    EXPECT_EQ(ev[i].file.id, a) << describe(ev[i], d.path());
  }
  EXPECT_EQ(ev[3].bytes, 100u);
  EXPECT_EQ(ev[3].pid, run.pid);
  EXPECT_EQ(ev[3].comm, "uring_ops");  // the submitter, not an io worker
  EXPECT_EQ(ev[14].file.id, stat_id(d / "h"));  // openat2
  const FileId g = stat_id(d / "g");
  EXPECT_EQ(ev[16].file.id, g);
  EXPECT_EQ(ev[17].file.id, g);
  EXPECT_EQ(ev[18].file.id, g);
  EXPECT_TRUE(ev[17].by_identity);
}

TEST(LiveAsync, AioIocbsArriveAsTheirOperations) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("aio_ops"), "ops", d.path()});
  ASSERT_EQ(exit_code(run.wait_status), 0);
  auto ev = program_events(run);
  EXPECT_THAT(describe_all(ev, d.path()), ElementsAreArray(std::vector<std::string>{
      std::string("exec(\"") + program("aio_ops") + "\")",
      "io_setup(8) = 0",
      "openat(AT_FDCWD, \"$D/f\", O_WRONLY|O_CREAT|O_TRUNC) = 3 created",
      "aio:pwrite(3) = 100",
      "aio:pwritev(3, 0x2) = 2 sync",  // RWF_DSYNC: durable at completion
      "aio:fdsync(3, 0x0) = 0",
      "aio:fsync(3, 0x0) = 0",
      "close(3) = 0",
      "exit(0) group_dead",
  }));
  ASSERT_EQ(ev.size(), 9u);
  const FileId f = stat_id(d / "f");
  for (int i : {3, 4, 5, 6}) EXPECT_EQ(ev[i].file.id, f) << describe(ev[i], d.path());
}

}  // namespace
}  // namespace duraudit::live
