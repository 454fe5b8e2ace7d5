// SPDX-License-Identifier: GPL-2.0-only
// Live: sync calls carry their duration (sys_enter to sys_exit), the input of
// duraudit_sync_duration_seconds; other events carry none.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <set>

#include "live/live_harness.h"

namespace duraudit::live {
namespace {

bool is_sync_call(Syscall s) {
  return s == Syscall::Fsync || s == Syscall::Fdatasync || s == Syscall::Sync || s == Syscall::Syncfs ||
         s == Syscall::SyncFileRange || s == Syscall::Msync;
}

TEST(LiveSyncDuration, FsyncOfAFileWithDataTakesTime) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("relative_paths"), d.path()});
  ASSERT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0);
  int fsyncs = 0;
  for (const auto& e : of_pid(after_markers(run.events), run.pid)) {
    if (e.syscall == Syscall::Fsync) {
      ++fsyncs;
      EXPECT_EQ(e.ret, 0);
      EXPECT_GT(e.duration_ns, 0u);
      EXPECT_LT(e.duration_ns, 60'000'000'000ull) << "a minute: not a plausible fsync of 5 bytes";
    } else {
      EXPECT_EQ(e.duration_ns, 0u) << describe(e, d.path());
    }
  }
  EXPECT_EQ(fsyncs, 1);
}

TEST(LiveSyncDuration, EverySyncCallIsTimed) {
  LIVE_CAPTURE_OR_RETURN(cap);
  TempDir d;
  auto run = run_traced(*cap, {program("misc_ops"), d.path()});
  ASSERT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0);
  std::set<Syscall> timed;
  for (const auto& e : of_pid(after_markers(run.events), run.pid)) {
    if (!is_sync_call(e.syscall)) continue;
    EXPECT_GT(e.duration_ns, 0u) << describe(e, d.path());
    timed.insert(e.syscall);
  }
  EXPECT_EQ(timed, (std::set<Syscall>{Syscall::Fdatasync, Syscall::Sync, Syscall::Syncfs, Syscall::SyncFileRange,
                                       Syscall::Msync}));
}

}  // namespace
}  // namespace duraudit::live
